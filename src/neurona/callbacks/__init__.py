"""Callbacks with Keras' names and hooks."""

from neurona.callbacks.base import Callback, CallbackList, History
from neurona.callbacks.progbar_logger import ProgbarLogger

__all__ = ["Callback", "CallbackList", "History", "ProgbarLogger"]
