"""Background work shown in the status bar: a label, a progress bar and a Cancel button.

    activity.start("Indexing", library.update_index, on_result=done)

runs the call with :func:`reader.gui.workers.run_in_background`, shows its
progress (busy until the worker reports ``progress(done, total)``) and lets
the user cancel it (the worker's ``cancel`` event). Several tasks may run at
once; the indicator shows the oldest and how many more are running.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from .workers import Task, run_in_background


@dataclass
class _Job:
    label: str
    task: Task
    done: int = 0
    total: int = 0
    cancellable: bool = True


class ActivityIndicator(QWidget):
    all_finished = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("activity")
        self.setAccessibleName("Background tasks")
        self.label = QLabel(self)
        self.label.setObjectName("taskLabel")
        self.bar = QProgressBar(self)
        self.bar.setMaximumWidth(160)
        self.bar.setMaximumHeight(14)
        self.bar.setTextVisible(False)
        self.bar.setAccessibleName("Background task progress")
        self.cancel_button = QToolButton(self)
        self.cancel_button.setText("Cancel")
        self.cancel_button.setAccessibleName("Cancel background task")
        self.cancel_button.setToolTip("Stop the background task (Esc in the status bar)")
        self.cancel_button.clicked.connect(self.cancel_current)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 4, 0)
        for widget in (self.label, self.bar, self.cancel_button):
            layout.addWidget(widget)
        self.jobs: list[_Job] = []
        self.hide()

    def start(self, label: str, fn, *args, on_result=None, on_error=None, cancellable: bool = True, **kwargs) -> Task:
        job_ref: list[_Job] = []
        task = run_in_background(
            fn, *args, on_result=on_result, on_error=on_error,
            on_progress=lambda done, total: self._progress(job_ref[0], done, total),
            on_finished=lambda: self._finished(job_ref[0]),
            **kwargs,
        )
        job = _Job(label, task, cancellable=cancellable)
        job_ref.append(job)
        self.jobs.append(job)
        self._show()
        return task

    @property
    def busy(self) -> bool:
        return bool(self.jobs)

    def cancel_current(self) -> None:
        if self.jobs:
            job = self.jobs[0]
            job.task.cancel()
            self.label.setText(f"{job.label}: cancelling…")

    def cancel_all(self) -> None:
        for job in self.jobs:
            job.task.cancel()

    def _progress(self, job: _Job, done: int, total: int) -> None:
        job.done, job.total = done, total
        if self.jobs and job is self.jobs[0]:
            self._show()

    def _finished(self, job: _Job) -> None:
        if job in self.jobs:
            self.jobs.remove(job)
        if self.jobs:
            self._show()
        else:
            self.hide()
            self.all_finished.emit()

    def _show(self) -> None:
        job = self.jobs[0]
        more = f" (+{len(self.jobs) - 1} more)" if len(self.jobs) > 1 else ""
        if job.total > 0:
            self.bar.setRange(0, job.total)
            self.bar.setValue(min(job.done, job.total))
            self.label.setText(f"{job.label} {job.done}/{job.total}{more}")
        else:
            self.bar.setRange(0, 0)  # busy
            self.label.setText(f"{job.label}…{more}")
        self.cancel_button.setEnabled(job.cancellable and not job.task.cancel_event.is_set())
        self.show()
