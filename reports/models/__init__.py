from reports.models.quality import (
    ActionCategory,
    AnswerResult,
    ChecklistQuestion,
    QualityAnswer,
    QualityReview,
    QualityReviewItem,
    WorkKind,
)
from reports.models.rollup import DailyFigure, DailyTotal, RollupRun

__all__ = [
    "ActionCategory",
    "AnswerResult",
    "ChecklistQuestion",
    "DailyFigure",
    "DailyTotal",
    "QualityAnswer",
    "QualityReview",
    "QualityReviewItem",
    "RollupRun",
    "WorkKind",
]
