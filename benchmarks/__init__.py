"""Speed benchmarks: neurona against PyTorch and Keras/TensorFlow on the tutorials' models."""
