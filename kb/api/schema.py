"""What the OpenAPI document says about HTTP itself, for every endpoint at once.

drf-spectacular describes bodies and query parameters; the headers and the HEAD method
that partners rely on follow from statuses, so one postprocessing hook adds them wherever
an operation declares the status, whichever view it comes from:

- an operation that can answer 304 takes ``If-None-Match`` / ``If-Modified-Since`` and
  answers ``ETag`` / ``Last-Modified`` on 200 and 304;
- 301 carries ``Location``, 401 ``WWW-Authenticate`` and 429 ``Retry-After``;
- every GET has a HEAD twin (Django answers HEAD with GET's headers and no body), with its
  own operationId so generated clients get a function for it.

Declared here, a new endpoint is documented correctly by declaring its statuses.
"""

from __future__ import annotations

import copy

CONDITIONAL_REQUEST_HEADERS = [
    {
        "in": "header",
        "name": "If-None-Match",
        "required": False,
        "schema": {"type": "string"},
        "description": "The `ETag` of your copy: 304 with no body while it is current. "
        "Preferred over If-Modified-Since, which it overrides.",
    },
    {
        "in": "header",
        "name": "If-Modified-Since",
        "required": False,
        "schema": {"type": "string"},
        "description": "The `Last-Modified` of your copy (an HTTP date): 304 with no body "
        "while nothing changed since.",
    },
]

VALIDATOR_HEADERS = {
    "ETag": {
        "required": True,
        "schema": {"type": "string"},
        "description": "The answer's validator; send it back as If-None-Match.",
    },
    "Last-Modified": {
        "schema": {"type": "string"},
        "description": "When the content last changed (an HTTP date); send it back as "
        "If-Modified-Since. Absent only when there is nothing to date (an empty list).",
    },
}

#: Response headers by status, for every operation that declares the status.
STATUS_HEADERS = {
    "301": {
        "Location": {
            "required": True,
            "schema": {"type": "string", "format": "uri"},
            "description": "The current address; the body's `location` says the same.",
        }
    },
    "401": {
        "WWW-Authenticate": {
            "required": True,
            "schema": {"type": "string"},
            "description": "`Api-Key`: send the key in X-API-Key (or `Authorization: Api-Key`).",
        }
    },
    "429": {
        "Retry-After": {
            "required": True,
            "schema": {"type": "string", "pattern": "^[0-9]+$"},
            "description": "Seconds to wait before the next request with this key.",
        }
    },
}


def postprocess_http_semantics(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry: headers by status, then HEAD twins."""
    for item in result.get("paths", {}).values():
        for method, operation in list(item.items()):
            if method in {"get", "put", "post", "patch", "delete"}:
                _declare_headers(operation=operation)
        if "get" in item and "head" not in item:
            item["head"] = head_twin(operation=item["get"])
    return result


def _declare_headers(*, operation: dict) -> None:
    responses = operation.get("responses", {})
    if "304" in responses:
        parameters = operation.setdefault("parameters", [])
        names = {p.get("name") for p in parameters if p.get("in") == "header"}
        parameters.extend(
            copy.deepcopy(p) for p in CONDITIONAL_REQUEST_HEADERS if p["name"] not in names
        )
        for status in ("200", "304"):
            if status in responses:
                _add_headers(responses[status], VALIDATOR_HEADERS)
    for status, headers in STATUS_HEADERS.items():
        if status in responses:
            _add_headers(responses[status], headers)


def _add_headers(response: dict, headers: dict) -> None:
    declared = response.setdefault("headers", {})
    for name, header in headers.items():
        declared.setdefault(name, copy.deepcopy(header))


def head_twin(*, operation: dict) -> dict:
    """The HEAD operation of a GET: same parameters, statuses and headers, no bodies."""
    twin = copy.deepcopy(operation)
    twin["operationId"] = f"{operation['operationId']}_head"
    if "summary" in twin:
        twin["summary"] = f"{twin['summary']} (headers only)"
    for response in twin.get("responses", {}).values():
        response.pop("content", None)
    return twin
