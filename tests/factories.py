"""factory-boy factories shared by the suite."""

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from merchants.models import User
from merchants.roles import StaffGroup

TEST_PASSWORD = "Gx7-long-unusual-passphrase"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"商家{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Give the user a verified primary address unless verified=False is passed."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def group(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(Group.objects.get(name=str(StaffGroup(extracted))))


# --- Onboarding ---------------------------------------------------------------------

import io  # noqa: E402

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from PIL import Image  # noqa: E402

from core.uploads import check_upload  # noqa: E402
from merchants import services  # noqa: E402
from merchants.models import (  # noqa: E402
    Category,
    DocumentKind,
    EntityType,
    MerchantProfile,
    OnboardingApplication,
    Region,
    SalesPlatform,
    SellerType,
)
from tests.identity import make_resident_id, make_uscc  # noqa: E402


def image_upload(name="photo.jpg", *, size=(640, 400), color=(200, 80, 40), image_format="JPEG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=image_format)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[image_format]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def pdf_upload(name="licence.pdf"):
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


class MerchantProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MerchantProfile

    user = factory.SubFactory(UserFactory)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OnboardingApplication

    merchant = factory.SubFactory(MerchantProfileFactory)


def fill_application(application, *, entity_type=EntityType.INDIVIDUAL_BUSINESS, categories=("apparel",)):
    """Complete every wizard step of `application` through the services, as the wizard does."""
    user = application.merchant.user
    is_business = entity_type != EntityType.INDIVIDUAL
    services.application_update_entity(
        application=application,
        by=user,
        entity={
            "entity_type": entity_type,
            "legal_name": "杭州四季青服饰商行" if is_business else "王小丽",
            "uscc": make_uscc() if is_business else "",
            "legal_representative": "王小丽" if is_business else "",
            "id_number": make_resident_id(),
        },
        profile={
            "seller_type": SellerType.STALL,
            "display_name": "小丽女装档口",
            "contact_mobile": "+8613812345678",
            "region": Region.objects.get(code="330102"),
        },
        categories=list(Category.objects.filter(code__in=categories)),
    )
    application.refresh_from_db()
    from merchants import selectors

    for slot in selectors.document_slots(selectors.application_with_details().get(pk=application.pk)):
        upload = pdf_upload() if slot.kind == DocumentKind.BUSINESS_LICENCE else image_upload()
        services.application_upload_document(
            application=application,
            by=user,
            kind=slot.kind,
            qualification=slot.qualification,
            upload=upload,
            checked=check_upload(upload, allow_pdf=slot.allow_pdf),
        )
    services.application_set_channels(
        application=application, by=user, channels=[(SalesPlatform.TAOBAO, "https://shop123.taobao.com/")]
    )
    services.application_acknowledge_deposit(application=application, by=user)
    application.refresh_from_db()
    return application


def submitted_application(**kwargs):
    application = fill_application(ApplicationFactory(), **kwargs)
    return services.application_submit(application=application, by=application.merchant.user)


def reviewer():
    return StaffFactory(group=StaffGroup.REVIEWER)
