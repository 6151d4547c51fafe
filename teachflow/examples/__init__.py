"""``tensorflow.examples``: the MNIST reader of TensorFlow 1.x's tutorials
(:mod:`teachflow.examples.tutorials.mnist.input_data`)."""
