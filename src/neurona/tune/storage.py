"""Where a study lives: the study folder, its storage, and opening (or resuming) the study.

    runs/tune-NAME/
        tune.json       the space, the metric, the storage URL (without its password)
        study.db        the default storage: SQLite, one worker at a time writing
        journal.log     instead, with --workers K: Optuna's journal file, safe for K local writers
        trials/         one run folder per trial
        report.html     history, parameter importances, parallel coordinates

A database URL (`postgresql+psycopg://user@host/db`) lets workers on any number of machines
share one study; `journal:PATH` names a journal file. Database storages keep a heartbeat for
each running trial: a worker killed mid-trial stops beating, and the next worker to start a
trial marks it FAIL and queues a retry of its parameters.
"""

import json
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import optuna
from optuna.storages import JournalStorage, RDBStorage
from optuna.storages.journal import JournalFileBackend

try:
    from optuna.storages import RetryHeartbeatStaleTrialCallback as RetryStaleTrial

    _STALE_CALLBACK = "heartbeat_stale_trial_callback"
except ImportError:  # Optuna before 4.9 named it for the failure it follows
    from optuna.storages import RetryFailedTrialCallback as RetryStaleTrial

    _STALE_CALLBACK = "failed_trial_callback"

from neurona.tune.space import SpaceError
from neurona.utils.atomic import write_text_atomic

SQLITE_FILE = "study.db"
JOURNAL_FILE = "journal.log"
INFO_FILE = "tune.json"
JOURNAL_PREFIX = "journal:"
HEARTBEAT_SECONDS = 10
# Retries of a trial whose worker died, before it counts as failed.
MAX_RETRY = 2
_CREATE_ATTEMPTS = 5


def study_dir(name, runs_dir="runs"):
    return Path(runs_dir) / f"tune-{name}"


def storage_url(folder, storage=None, workers=1):
    """The storage URL: `storage` when given; else the study folder's journal file or SQLite
    file, whichever it already has; else SQLite for one worker, the journal for several."""
    if storage:
        return storage
    journal, sqlite = folder / JOURNAL_FILE, folder / SQLITE_FILE
    if journal.exists() or (workers > 1 and not sqlite.exists()):
        return JOURNAL_PREFIX + str(journal.resolve())
    return f"sqlite:///{sqlite.resolve()}"


def make_storage(url, heartbeat=HEARTBEAT_SECONDS):
    """An Optuna storage for `url` (a database URL or journal:PATH)."""
    if url.startswith(JOURNAL_PREFIX):
        path = Path(url[len(JOURNAL_PREFIX):])
        path.parent.mkdir(parents=True, exist_ok=True)
        return JournalStorage(JournalFileBackend(str(path)))
    scheme = urlsplit(url).scheme
    if not scheme or "://" not in url:
        raise ValueError(f"--storage expects a database URL (sqlite:///FILE, postgresql+psycopg://USER@HOST/DB) "
                         f"or journal:PATH. Received: {url!r}")
    # SQLite: wait for another writer's lock instead of failing at once.
    engine = {"connect_args": {"timeout": 60}} if scheme.startswith("sqlite") else {"pool_pre_ping": True}
    from sqlalchemy.exc import SQLAlchemyError

    for attempt in range(_CREATE_ATTEMPTS):
        try:
            with warnings.catch_warnings():  # heartbeats are marked experimental; they are what we need
                warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
                return RDBStorage(url, engine_kwargs=engine, heartbeat_interval=heartbeat,
                                  grace_period=3 * heartbeat, **{_STALE_CALLBACK: RetryStaleTrial(max_retry=MAX_RETRY)})
        except SQLAlchemyError as error:
            # Workers starting together on an empty database race to create its tables; the
            # loser's CREATE fails, and the tables are there when it tries again.
            if attempt == _CREATE_ATTEMPTS - 1:
                reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
                raise ConnectionError(f"Cannot open the storage {shown_url(url)}: {reason}") from None
            time.sleep(0.5 * (attempt + 1))


def shown_url(url):
    """`url` without its password, for files and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


def open_study(space, name, storage=None, runs_dir="runs", workers=1, heartbeat=HEARTBEAT_SECONDS,
               sampler_seed=None):
    """Create study `name`, or load it to resume; returns (study, study folder, storage URL).

    Raises:
        SpaceError: the stored study was started with another space, metric or direction.
    """
    folder = study_dir(name, runs_dir)
    folder.mkdir(parents=True, exist_ok=True)
    url = storage_url(folder, storage, workers)
    study = optuna.create_study(
        study_name=name, storage=make_storage(url, heartbeat), direction=space.direction, load_if_exists=True,
        sampler=optuna.samplers.TPESampler(seed=sampler_seed),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=0))
    stored = study.user_attrs.get("space")
    if stored is None:
        study.set_user_attr("space", space.source)
        study.set_user_attr("metric", space.metric)
    elif stored != space.source:
        raise SpaceError(f"Study {name!r} was started with another space ({json.dumps(stored)}); to resume it "
                         f"give the same space, or start a new study with another --study name.")
    if study.direction.name.lower() != space.direction:
        raise SpaceError(f"Study {name!r} is to {study.direction.name.lower()}; the space says {space.direction}.")
    info = {"study": name, "storage": shown_url(url) if storage else None, "metric": space.metric,
            "direction": space.direction, "space": space.source}
    write_text_atomic(folder / INFO_FILE, json.dumps(info, indent=2) + "\n")
    return study, folder, url


def load_existing(name, storage=None, runs_dir="runs"):
    """The stored study `name` (for --show); (study, folder, info). FileNotFoundError when absent."""
    folder = study_dir(name, runs_dir)
    info_path = folder / INFO_FILE
    if not info_path.is_file():
        raise FileNotFoundError(f"No study {name!r}: {info_path} not found. Run `neurona tune SPACE.json "
                                f"--study {name}` first.")
    info = json.loads(info_path.read_text(encoding="utf-8"))
    url = storage or info.get("storage") or storage_url(folder)
    if "***" in url:
        raise ValueError(f"Study {name!r} is in {url}: give --storage with its password to read it.")
    study = optuna.load_study(study_name=name, storage=make_storage(url))
    return study, folder, info
