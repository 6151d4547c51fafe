# The "MNIST for beginners" lesson: softmax regression on MNIST with input_data.
from tensorflow.examples.tutorials.mnist import input_data
import tensorflow as tf

tf.set_random_seed(0)
mnist = input_data.read_data_sets("MNIST_data/", one_hot=True)
print(mnist.train.num_examples, mnist.validation.num_examples, mnist.test.num_examples)

x = tf.placeholder(tf.float32, [None, 784])
W = tf.Variable(tf.zeros([784, 10]))
b = tf.Variable(tf.zeros([10]))
y = tf.matmul(x, W) + b
y_ = tf.placeholder(tf.float32, [None, 10])

cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=y_, logits=y))
train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)

sess = tf.InteractiveSession()
tf.global_variables_initializer().run()
for i in range(200):
    batch_xs, batch_ys = mnist.train.next_batch(100)
    _, loss = sess.run([train_step, cross_entropy], feed_dict={x: batch_xs, y_: batch_ys})
    if i % 50 == 0:
        print("step %d, loss %.4f, epochs %d" % (i, loss, mnist.train.epochs_completed))

correct_prediction = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))
print("test accuracy %.4f" % sess.run(accuracy, feed_dict={x: mnist.test.images, y_: mnist.test.labels}))
