"""``/api/v1/webhooks/``: a partner registers, lists and deletes its webhook endpoints.

Writes go through ``kb.webhooks.services`` (the same rules as the desk: https only, no
private addresses, known events). The signing secret is in the answer to the POST that
registers the endpoint and never again.

Not yet in the OpenAPI schema (``exclude=True``): the schema's contract tests and the
schemathesis run cover read endpoints only; the README documents these three calls.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from kb.api.serializers import ErrorSerializer
from kb.webhooks import services
from kb.webhooks.models import WebhookEndpoint, WebhookEventType


class EndpointSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(WebhookEventType.values))
    active = serializers.BooleanField(read_only=True)
    disabled_reason = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)


class NewEndpointSerializer(EndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="The signing secret: shown in this answer only."
    )


def _partner(request):
    return request.user.partner


def _problem(exc: ValidationError) -> Response:
    return Response(
        {"error": "invalid_endpoint", "detail": " ".join(exc.messages)},
        status=status.HTTP_400_BAD_REQUEST,
    )


@extend_schema(exclude=True)
class WebhookEndpointListView(APIView):
    http_method_names = ["get", "post"]

    @extend_schema(
        summary="List your webhook endpoints",
        responses={200: EndpointSerializer(many=True)},
    )
    def get(self, request):
        endpoints = WebhookEndpoint.objects.filter(partner=_partner(request)).order_by("pk")
        return Response(EndpointSerializer(endpoints, many=True).data)

    @extend_schema(
        summary="Register a webhook endpoint",
        description=(
            "An https URL and the events it wants. The answer carries the signing secret "
            "(Standard Webhooks, `whsec_…`) once; store it to verify `webhook-signature`."
        ),
        request=EndpointSerializer,
        responses={201: NewEndpointSerializer, 400: OpenApiResponse(ErrorSerializer)},
    )
    def post(self, request):
        incoming = EndpointSerializer(data=request.data)
        if not incoming.is_valid():
            detail = "; ".join(
                f"{field}: {' '.join(str(m) for m in messages)}"
                for field, messages in incoming.errors.items()
            )
            return Response(
                {"error": "invalid_endpoint", "detail": detail},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            endpoint, secret = services.register_endpoint(
                partner=_partner(request),
                url=incoming.validated_data["url"],
                events=incoming.validated_data["events"],
            )
        except ValidationError as exc:
            return _problem(exc)
        answer = NewEndpointSerializer(endpoint).data
        answer["secret"] = secret
        return Response(answer, status=status.HTTP_201_CREATED)


@extend_schema(exclude=True)
class WebhookEndpointDetailView(APIView):
    http_method_names = ["delete"]

    @extend_schema(summary="Delete a webhook endpoint", responses={204: None})
    def delete(self, request, pk: int):
        endpoint = get_object_or_404(WebhookEndpoint, pk=pk, partner=_partner(request))
        services.delete_endpoint(endpoint=endpoint)
        return Response(status=status.HTTP_204_NO_CONTENT)
