# The shape of TensorFlow's own mnist_deep.py: flags, a main(_) function and tf.app.run().
import argparse
import sys

import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

flags = tf.app.flags
flags.DEFINE_string("data_dir", "MNIST_data", "Directory for storing input data")
flags.DEFINE_integer("max_steps", 30, "Number of steps to run trainer.")
flags.DEFINE_float("learning_rate", 0.5, "Initial learning rate.")
flags.DEFINE_boolean("verbose", False, "Print more.")
FLAGS = flags.FLAGS


def weight_variable(shape):
    return tf.Variable(tf.truncated_normal(shape, stddev=0.1))


def main(argv):
    print("unparsed:", argv[1:])
    print("flags:", FLAGS.data_dir, FLAGS.max_steps, FLAGS.learning_rate, FLAGS.verbose)
    tf.set_random_seed(3)
    mnist = input_data.read_data_sets(FLAGS.data_dir, one_hot=True)
    x = tf.placeholder(tf.float32, [None, 784], name="x")
    y_ = tf.placeholder(tf.float32, [None, 10], name="y_")
    with tf.name_scope("hidden"):
        W1 = weight_variable([784, 32])
        b1 = tf.Variable(tf.constant(0.1, shape=[32]))
        h1 = tf.nn.relu(tf.matmul(x, W1) + b1)
    with tf.name_scope("out"):
        W2 = weight_variable([32, 10])
        y = tf.matmul(h1, W2)
    loss = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
    train = tf.train.GradientDescentOptimizer(FLAGS.learning_rate).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(FLAGS.max_steps):
            xs, ys = mnist.train.next_batch(64)
            l, _ = sess.run([loss, train], {x: xs, y_: ys})
            if FLAGS.verbose or i % 10 == 0:
                print("step %d loss %.4f" % (i, l))
    print(W1.name, h1.name, y.name)


if __name__ == "__main__":
    tf.app.run(main=main, argv=[sys.argv[0]] + sys.argv[1:])
