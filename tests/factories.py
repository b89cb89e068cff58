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
