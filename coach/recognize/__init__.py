"""Which exercise a recording shows, from the poses alone: features (``features``) and a classifier
trained on rendered clips, cut into segments (``model``)."""
