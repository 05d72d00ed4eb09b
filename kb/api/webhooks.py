"""``/api/v1/webhooks/``: a partner registers, lists, tests and deletes its webhook endpoints.

Writes go through ``kb.webhooks.services`` (the same rules as the desk: https only, no
private addresses, known events). The signing secret is in the answer to the POST that
registers the endpoint and never again; answers here are never stored by caches
(``no-store``), since one of them carries the secret.

These operations are in the OpenAPI schema like the read endpoints: the same key, the same
error shape (``{"detail", "code"}``, through ``kb.api.errors``), the same headers by status
(``kb.api.schema``). A URL the SSRF check refuses (``kb.webhooks.ssrf``: not https, not
resolvable, or a private, loopback or link-local address) is a documented 400
``unsafe_url``: whether a URL is acceptable depends on DNS, which no schema can say.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from kb.api.serializers import ErrorSerializer
from kb.api.views import COMMON_ERRORS
from kb.webhooks import services
from kb.webhooks.models import WebhookEndpoint, WebhookEventType

#: The largest id an endpoint can have (a 64-bit key); larger ones are 404, never a query.
MAX_ID = 2**63 - 1

ENDPOINT_ID = OpenApiParameter(
    "id",
    {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    OpenApiParameter.PATH,
    description="The endpoint's `id`, as registered or listed.",
)


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


#: The statuses every webhook operation can answer besides its own (405 differs: these
#: addresses also take POST or DELETE, as ``Allow`` says).
WEBHOOK_ERRORS = {
    **COMMON_ERRORS,
    405: _error("A method this address does not take; `Allow` lists those it does."),
}
NOT_YOURS = _error("No endpoint with this id among your partner's endpoints.")


class EndpointSerializer(serializers.Serializer):
    """A webhook endpoint: where deliveries go and which events; listed without its secret."""

    id = serializers.IntegerField(read_only=True)
    url = serializers.URLField(
        max_length=500,
        help_text="Where deliveries are POSTed: an https URL whose host resolves to public "
        "addresses only.",
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(WebhookEventType.values),
        allow_empty=False,
        min_length=1,
        help_text="The event types this endpoint receives (at least one).",
    )
    active = serializers.BooleanField(
        read_only=True, help_text="False once switched off after days of failed deliveries."
    )
    disabled_reason = serializers.CharField(
        read_only=True, help_text="Why it was switched off (empty while active)."
    )
    created_at = serializers.DateTimeField(read_only=True)


class NewEndpointSerializer(EndpointSerializer):
    """The endpoint just registered, with its signing secret: the only answer that carries
    it. Store it now; it is never listed or shown again (lost: delete the endpoint and
    register it again)."""

    secret = serializers.CharField(
        read_only=True,
        help_text="The Standard Webhooks signing secret (`whsec_…`), shown once: in this "
        "answer only. Verify `webhook-signature` with it.",
    )


class TestDeliverySerializer(serializers.Serializer):
    """A test event on its way: sent by the site's workers, recorded like any delivery."""

    id = serializers.IntegerField()
    message_id = serializers.CharField(help_text="The `webhook-id` header it is sent with.")
    event_type = serializers.CharField(help_text="Always `webhook.test`.")
    status = serializers.CharField(help_text="`pending` until the first attempt.")
    created_at = serializers.DateTimeField()


class EndpointInactive(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = (
        "This endpoint is switched off after days of failed deliveries; register it again."
    )
    default_code = "endpoint_inactive"


def _endpoint(request, pk: int) -> WebhookEndpoint:
    """The partner's own endpoint ``pk``; 404 for anyone else's, or an id out of range."""
    if not 1 <= pk <= MAX_ID:
        raise Http404
    return get_object_or_404(WebhookEndpoint, pk=pk, partner=request.user.partner)


class WebhookAPIMixin:
    """JSON in and out, and answers no cache may store (one carries the signing secret)."""

    parser_classes = [JSONParser]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response


class WebhookEndpointListView(WebhookAPIMixin, APIView):
    http_method_names = ["get", "head", "post"]

    @extend_schema(
        operation_id="webhooks_list",
        summary="List your webhook endpoints",
        description="Your partner's endpoints, oldest first, without their secrets.",
        responses={200: EndpointSerializer(many=True), **WEBHOOK_ERRORS},
    )
    def get(self, request):
        endpoints = WebhookEndpoint.objects.filter(partner=request.user.partner).order_by("pk")
        return Response(EndpointSerializer(endpoints, many=True).data)

    @extend_schema(
        operation_id="webhooks_create",
        summary="Register a webhook endpoint",
        description=(
            "An https URL and the events it wants. The answer carries the signing secret "
            "(Standard Webhooks, `whsec_…`) **once**: store it to verify "
            "`webhook-signature`; it is never shown again. The URL is refused (400 "
            "`unsafe_url`) unless it is https and its host resolves to public addresses "
            "only: private, loopback and link-local addresses never receive webhooks."
        ),
        request=EndpointSerializer,
        responses={
            201: NewEndpointSerializer,
            400: _error(
                "The body is not valid JSON (`parse_error`), misses or mistypes a field "
                "(the message names it), names an unknown event (`invalid_choice`), or "
                "the URL may not receive webhooks (`unsafe_url`)."
            ),
            415: _error("The body is not `application/json`."),
            **WEBHOOK_ERRORS,
        },
    )
    def post(self, request):
        incoming = EndpointSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        try:
            endpoint, secret = services.register_endpoint(
                partner=request.user.partner,
                url=incoming.validated_data["url"],
                events=incoming.validated_data["events"],
            )
        except ValidationError as exc:
            raise exceptions.ValidationError(
                " ".join(exc.messages), code=getattr(exc, "code", None) or "invalid"
            )
        answer = NewEndpointSerializer(endpoint).data
        answer["secret"] = secret
        return Response(answer, status=status.HTTP_201_CREATED)


class WebhookEndpointDetailView(WebhookAPIMixin, APIView):
    http_method_names = ["delete"]

    @extend_schema(
        operation_id="webhooks_destroy",
        summary="Delete a webhook endpoint",
        description="Deliveries to it stop, and its delivery record goes with it.",
        parameters=[ENDPOINT_ID],
        responses={204: OpenApiResponse(description="Deleted."), 404: NOT_YOURS, **WEBHOOK_ERRORS},
    )
    def delete(self, request, id: int):  # "id": the documented parameter's name
        services.delete_endpoint(endpoint=_endpoint(request, id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookEndpointTestView(WebhookAPIMixin, APIView):
    http_method_names = ["post"]

    @extend_schema(
        operation_id="webhooks_test",
        summary="Send a test event to a webhook endpoint",
        description=(
            "A signed `webhook.test` event to this endpoint alone, sent by the site's "
            "workers shortly after this answer (202): check your receiver and its "
            "signature check without waiting for a publication."
        ),
        request=None,
        parameters=[ENDPOINT_ID],
        responses={
            202: TestDeliverySerializer,
            404: NOT_YOURS,
            409: _error("The endpoint is switched off (`endpoint_inactive`)."),
            **WEBHOOK_ERRORS,
        },
    )
    def post(self, request, id: int):  # "id": the documented parameter's name
        endpoint = _endpoint(request, id)
        if not endpoint.active:
            raise EndpointInactive
        delivery = services.send_test_event(endpoint=endpoint)
        return Response(TestDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
