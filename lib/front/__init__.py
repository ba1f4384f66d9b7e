"""Views of the front and back matter (the course page); the data they draw is in :mod:`lib.course`."""
