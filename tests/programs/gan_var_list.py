# A toy GAN in the style of the GAN tutorials: parameters in dicts, each player's optimizer
# gets var_list=theta.values().
import numpy as np
import tensorflow as tf

tf.set_random_seed(5)
rng = np.random.RandomState(5)


def xavier(size):
    return tf.random_normal(shape=size, stddev=1.0 / np.sqrt(size[0] / 2.0))


X = tf.placeholder(tf.float32, shape=[None, 2])
Z = tf.placeholder(tf.float32, shape=[None, 4])
theta_D = {"W1": tf.Variable(xavier([2, 16])), "b1": tf.Variable(tf.zeros([16])),
           "W2": tf.Variable(xavier([16, 1])), "b2": tf.Variable(tf.zeros([1]))}
theta_G = {"W1": tf.Variable(xavier([4, 16])), "b1": tf.Variable(tf.zeros([16])),
           "W2": tf.Variable(xavier([16, 2])), "b2": tf.Variable(tf.zeros([2]))}


def generator(z):
    h = tf.nn.relu(tf.matmul(z, theta_G["W1"]) + theta_G["b1"])
    return tf.matmul(h, theta_G["W2"]) + theta_G["b2"]


def discriminator(x):
    h = tf.nn.relu(tf.matmul(x, theta_D["W1"]) + theta_D["b1"])
    logit = tf.matmul(h, theta_D["W2"]) + theta_D["b2"]
    return tf.nn.sigmoid(logit), logit


G_sample = generator(Z)
D_real, D_logit_real = discriminator(X)
D_fake, D_logit_fake = discriminator(G_sample)
D_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=D_logit_real, labels=tf.ones_like(D_logit_real))) + \
    tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=D_logit_fake, labels=tf.zeros_like(D_logit_fake)))
G_loss = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(logits=D_logit_fake, labels=tf.ones_like(D_logit_fake)))
D_solver = tf.train.AdamOptimizer(0.01).minimize(D_loss, var_list=theta_D.values())
G_solver = tf.train.AdamOptimizer(0.01).minimize(G_loss, var_list=theta_G.values())

sess = tf.Session()
sess.run(tf.global_variables_initializer())
for it in range(101):
    real = rng.randn(32, 2).astype(np.float32) * 0.5 + [2.0, -1.0]
    noise = rng.uniform(-1.0, 1.0, size=[32, 4]).astype(np.float32)
    _, D_loss_curr = sess.run([D_solver, D_loss], feed_dict={X: real, Z: noise})
    _, G_loss_curr = sess.run([G_solver, G_loss], feed_dict={Z: noise})
    if it % 25 == 0:
        print("Iter: {}  D loss: {:.4}  G_loss: {:.4}".format(it, D_loss_curr, G_loss_curr))
print("sample mean:", np.round(sess.run(G_sample, {Z: noise}).mean(0), 2))
