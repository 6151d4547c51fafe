"""``tensorflow.examples.tutorials.mnist``: ``input_data.read_data_sets`` and a small built-in
digits set for classes without the internet (:mod:`.digits`)."""
