"""The legacy ``mp.solutions.pose`` graph, without its segmentation branch when no mask is asked for.

Why: in mediapipe 0.10.21 the pose graph always carries the segmentation branch, whose smoothing
(``PoseSegmentationFiltering``) holds a ``PreviousLoopbackCalculator`` with the mask as its MAIN
input. Without segmentation that input only ever carries empty timestamp bounds, and the calculator
then keeps every LOOP timestamp bound it is sent in a queue it never pops: about 25-30 bytes of
native heap per frame for the whole session (0.4-0.5 MiB per 10 minutes at 30 fps; heaptrack puts
the whole of the bare loop's growth there, bench/pose_heap.py measures it). With no consumer of the
mask, the branch is dropped from the graph before it is built; the landmarks come out of the same
nodes as before, bit for bit (tests/test_solution_graph.py). With a mask asked for, the MAIN input
carries the mask and the queue is drained: the stock graph is used as it is.
"""

from __future__ import annotations

import os
from typing import Any

# The branch from the landmark model's mask to the ``segmentation_mask`` output: the smoothing subgraph
# (holding the loopback) and the conversion after it.
SEGMENTATION_NODES = ("PoseSegmentationFiltering", "FromImageCalculator")
SEGMENTATION_OUTPUT = "segmentation_mask"
SMOOTHING_SIDE_PACKET = "smooth_segmentation"  # read by the smoothing subgraph alone


def pose_graph_config(segmentation: bool) -> Any:
    """The stock pose graph's config (a ``CalculatorGraphConfig``), less the segmentation branch when
    ``segmentation`` is False."""
    import mediapipe
    from mediapipe.framework import calculator_pb2
    from mediapipe.python.solutions import pose

    root = os.path.dirname(os.path.dirname(os.path.abspath(mediapipe.__file__)))  # as SolutionBase resolves it
    config = calculator_pb2.CalculatorGraphConfig()
    with open(os.path.join(root, pose._BINARYPB_FILE_PATH), "rb") as f:
        config.ParseFromString(f.read())
    if segmentation:
        return config
    kept = [node for node in config.node if node.calculator not in SEGMENTATION_NODES]
    del config.node[:]
    config.node.extend(kept)
    outputs = [s for s in config.output_stream if s.split(":")[-1] != SEGMENTATION_OUTPUT]
    del config.output_stream[:]
    config.output_stream.extend(outputs)
    sides = [s for s in config.input_side_packet if s.split(":")[-1] != SMOOTHING_SIDE_PACKET]
    del config.input_side_packet[:]
    config.input_side_packet.extend(sides)
    return config


def pose_solution(model_complexity: int = 1, segmentation: bool = False, min_detection_confidence: float = 0.5,
                  min_tracking_confidence: float = 0.5) -> Any:
    """What ``mp.solutions.pose.Pose(static_image_mode=False, smooth_landmarks=True,
    enable_segmentation=segmentation, smooth_segmentation=segmentation, ...)`` builds, on
    ``pose_graph_config(segmentation)``: the same side packets and calculator options (those of
    ``Pose.__init__`` in mediapipe 0.10.21). Its ``process(rgb)`` returns ``pose_landmarks`` and
    ``pose_world_landmarks``, and ``segmentation_mask`` only with ``segmentation``."""
    from mediapipe.python.solution_base import SolutionBase

    outputs = ["pose_landmarks", "pose_world_landmarks"] + ([SEGMENTATION_OUTPUT] if segmentation else [])
    sides = {"model_complexity": model_complexity, "smooth_landmarks": True, "enable_segmentation": segmentation,
             "use_prev_landmarks": True, **({SMOOTHING_SIDE_PACKET: True} if segmentation else {})}
    return SolutionBase(
        graph_config=pose_graph_config(segmentation),
        side_inputs=sides,
        calculator_params={
            "posedetectioncpu__TensorsToDetectionsCalculator.min_score_thresh": min_detection_confidence,
            "poselandmarkbyroicpu__tensorstoposelandmarksandsegmentation__ThresholdingCalculator.threshold":
                min_tracking_confidence,
        },
        outputs=outputs)
