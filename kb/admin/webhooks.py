"""Partner webhooks in the desk: endpoints (secret shown once), deliveries, send again.

Thin classes over ``kb.webhooks.services``; the model permissions of the two models decide
who sees them (superusers, or staff granted them).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages

from kb.webhooks import services
from kb.webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEventType


class EndpointForm(forms.ModelForm):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=WebhookEventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ("partner", "url", "events", "active")

    def clean_url(self):
        return services.clean_url(self.cleaned_data["url"])

    def clean_events(self):
        return services.clean_events(self.cleaned_data["events"])


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ("created_at", "event_type", "status", "attempts", "response_code", "last_error")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    show_change_link = True
    ordering = ("-created_at", "-pk")


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = EndpointForm
    list_display = ("url", "partner", "active", "failing_since", "disabled_reason", "created_at")
    list_filter = ("active", "partner")
    search_fields = ("url", "partner__name")
    readonly_fields = ("failing_since", "disabled_at", "disabled_reason", "created_at")
    inlines = [DeliveryInline]
    actions = ["send_test_event"]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            if obj.active:
                type(obj).objects.filter(pk=obj.pk).update(
                    failing_since=None, disabled_at=None, disabled_reason=""
                )
            return
        obj.secret = services.new_secret()
        super().save_model(request, obj, form, change)
        self.message_user(
            request,
            f"The signing secret of this endpoint is {obj.secret} — copy it now and give it "
            "to the partner: it is not shown again.",
            messages.WARNING,
        )

    @admin.action(description="Send a test event to the selected endpoints")
    def send_test_event(self, request, queryset) -> None:
        count = 0
        for endpoint in queryset:
            services.send_test_event(endpoint=endpoint)
            count += 1
        self.message_user(request, f"Test event queued for {count} endpoint(s).")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "event_type",
        "endpoint",
        "status",
        "attempts",
        "response_code",
        "last_attempt_at",
        "next_attempt_at",
    )
    list_filter = ("status", "event_type", "endpoint__partner")
    list_select_related = ("endpoint__partner",)
    search_fields = ("message_id", "endpoint__url")
    readonly_fields = (
        "endpoint",
        "message_id",
        "event_type",
        "payload",
        "status",
        "attempts",
        "response_code",
        "response_excerpt",
        "last_error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
    )
    actions = ["send_again"]

    def has_add_permission(self, request) -> bool:
        return False  # deliveries are made by events and the "send a test event" action

    def has_send_again_permission(self, request) -> bool:
        return request.user.has_perm("kb.change_webhookendpoint")

    @admin.action(description="Send the selected deliveries again", permissions=["send_again"])
    def send_again(self, request, queryset) -> None:
        count = 0
        for delivery in queryset:
            services.send_again(delivery=delivery)
            count += 1
        self.message_user(request, f"{count} delivery(ies) queued to be sent again.")
