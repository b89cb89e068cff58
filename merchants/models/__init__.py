from ..events import ApplicationEvent
from .accounts import ApiToken, User, UserManager
from .onboarding import (
    AWAITING_REVIEW_STATUSES,
    EDITABLE_STATUSES,
    ApplicationDocument,
    ApplicationStatus,
    DocumentKind,
    EntityType,
    OnboardingApplication,
)
from .profiles import (
    Category,
    MerchantProfile,
    QualificationType,
    SalesChannel,
    SalesPlatform,
    SellerType,
    merchant_reference,
)
from .regions import Region, RegionLevel

__all__ = [
    "AWAITING_REVIEW_STATUSES",
    "EDITABLE_STATUSES",
    "ApiToken",
    "ApplicationDocument",
    "ApplicationEvent",
    "ApplicationStatus",
    "Category",
    "DocumentKind",
    "EntityType",
    "MerchantProfile",
    "OnboardingApplication",
    "QualificationType",
    "Region",
    "RegionLevel",
    "SalesChannel",
    "SalesPlatform",
    "SellerType",
    "User",
    "UserManager",
    "merchant_reference",
]
