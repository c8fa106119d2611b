"""Azure Machine Learning checks."""
