"""What the video and the live-session forms share: ticking the merchant's own goods."""

from django import forms


class GoodsField(forms.ModelMultipleChoiceField):
    """Goods of the merchant, ticked in a list of checkboxes, each shown by its title."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.title
