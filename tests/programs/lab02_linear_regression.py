# Linear regression with placeholders, in the style of the first course labs.
import tensorflow as tf

tf.set_random_seed(777)

x_train = [1.0, 2.0, 3.0, 4.0, 5.0]
y_train = [2.1, 3.9, 6.2, 7.8, 10.1]

X = tf.placeholder(tf.float32, shape=[None])
Y = tf.placeholder(tf.float32, shape=[None])
W = tf.Variable(tf.random_normal([1]), name="weight")
b = tf.Variable(tf.random_normal([1]), name="bias")

hypothesis = X * W + b
cost = tf.reduce_mean(tf.square(hypothesis - Y))
train = tf.train.GradientDescentOptimizer(learning_rate=0.01).minimize(cost)

sess = tf.Session()
sess.run(tf.global_variables_initializer())
for step in range(1001):
    cost_val, W_val, b_val, _ = sess.run([cost, W, b, train], feed_dict={X: x_train, Y: y_train})
    if step % 200 == 0:
        print(step, "%.5f" % cost_val, "%.5f" % W_val[0], "%.5f" % b_val[0])

print("prediction for 6:", "%.4f" % sess.run(hypothesis, feed_dict={X: [6.0]})[0])
print(W.name, b.name, hypothesis.name, cost.op.name)
