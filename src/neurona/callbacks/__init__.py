"""Callbacks with Keras' names and hooks."""

from neurona.callbacks.backup_and_restore import BackupAndRestore
from neurona.callbacks.base import Callback, CallbackList, History
from neurona.callbacks.csv_logger import CSVLogger
from neurona.callbacks.early_stopping import EarlyStopping
from neurona.callbacks.lambda_callback import LambdaCallback
from neurona.callbacks.learning_rate_scheduler import LearningRateScheduler
from neurona.callbacks.model_checkpoint import ModelCheckpoint
from neurona.callbacks.progbar_logger import ProgbarLogger
from neurona.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from neurona.callbacks.terminate_on_nan import TerminateOnNaN

__all__ = [
    "BackupAndRestore",
    "CSVLogger",
    "Callback",
    "CallbackList",
    "EarlyStopping",
    "History",
    "LambdaCallback",
    "LearningRateScheduler",
    "ModelCheckpoint",
    "ProgbarLogger",
    "ReduceLROnPlateau",
    "TerminateOnNaN",
]
