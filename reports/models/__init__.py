from reports.models.quality import (
    ActionCategory,
    AnswerResult,
    ChecklistQuestion,
    QualityAnswer,
    QualityReview,
    QualityReviewItem,
    WorkKind,
)

__all__ = [
    "ActionCategory",
    "AnswerResult",
    "ChecklistQuestion",
    "QualityAnswer",
    "QualityReview",
    "QualityReviewItem",
    "WorkKind",
]
