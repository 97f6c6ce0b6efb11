"""OpenRosa endpoints for ODK Collect (and Enketo): form list, form download, submission.

One server per panel: an enumerator sets ODK Collect's server URL to
``https://<site>/panels/collect/<panel>/openrosa`` and Collect appends
``/formList``, ``/forms/<id>.xml`` and ``/submission`` itself.

Authentication (``openrosa_auth``): HTTP Digest with the collector's ODK Collect
password, or HTTP Basic — over HTTPS only, as ODK Central — with their password or
one of their API tokens. Without credentials the answer is 401 with the challenges
(``WWW-Authenticate``), which is what makes Collect ask for them. A user who is not
an enumerator or coordinator of the panel's territory gets 404, as everywhere:
strangers do not learn which panels exist. These endpoints are exempt from CSRF:
they never read the session cookie.

The form is the panel's XLSForm (``xlsform.export_xlsform``) converted by pyxform
in memory, cached until the questionnaire version, the roster or the local
provider's name changes.

Every instance names its form (the root element's ``id``) and version: an
instance of another form is refused (400), and so is one of a version that no
longer maps — an older version is accepted only when its questionnaire version
still exists and every item it asks is in the current one. A questionnaire
imported from a form made elsewhere also accepts instances of that form (its
``form_id``), read through the questionnaire's field mapping (``panels.mapping``).

Which wave a submission belongs to: the month of the interview's ``end`` (when
the enumerator finished it, in the phone's own time zone), else of its ``today``,
else the month the server receives it. An interview finished offline on 31 March
and sent on 2 April is a March answer. That month's wave must exist: a closed
wave refuses the submission (400, naming it), and a month without a wave too.

An edit (``meta/deprecatedID``) replaces the submission it names and keeps the
replaced version (``panels.edits``), in that submission's wave. A repeated
instanceID — Collect resends what it did not see acknowledged — is answered 202
and stored once, even when an edit has replaced it since.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import wraps
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from convivencia.accounts import throttle
from convivencia.accounts.choices import Role
from convivencia.accounts.models import ApiToken, User
from convivencia.panels import collection, edits, mapping, openrosa_auth
from convivencia.panels.choices import SubmissionSource
from convivencia.panels.importers import answers as file_import
from convivencia.panels.models import Panel, Questionnaire, Submission, Wave

OPENROSA_VERSION = "1.0"
REALM = "Convivencia"
COLLECTOR_ROLES = (Role.ENUMERATOR, Role.COORDINATOR)
# Submissions carry no photos here: 10 MB is far more than any instance needs.
MAX_SUBMISSION_BYTES = 10 * 1024 * 1024
XFORMS_LIST_NS = "http://openrosa.org/xforms/xformsList"
RESPONSE_NS = "http://openrosa.org/http/response"
XFORMS_NS = "http://www.w3.org/2002/xforms"
XHTML_NS = "http://www.w3.org/1999/xhtml"
ORX_VERSION = "{http://openrosa.org/xforms}version"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"
TOKEN_PREFIX = "cv_"  # noqa: S105 (how ApiToken.issue starts a token, not a secret)
CACHE_SECONDS = 24 * 60 * 60

OpenRosaView = Callable[..., HttpResponse]


# --- responses -----------------------------------------------------------------------------


def openrosa_response(message: str, status: int, nature: str = "") -> HttpResponse:
    """An OpenRosaResponse document: ODK Collect shows its message to the enumerator."""
    root = Element("OpenRosaResponse", xmlns=RESPONSE_NS)
    element = SubElement(root, "message")
    if nature:
        element.set("nature", nature)
    element.text = message
    return HttpResponse(
        tostring(root, encoding="utf-8", xml_declaration=True),
        status=status,
        content_type=XML_CONTENT_TYPE,
    )


def _unauthorized(request: HttpRequest, message: str = "", *, stale: bool = False) -> HttpResponse:
    response = openrosa_response(
        message
        or _(
            "Log in with your username and ODK Collect password (or, over HTTPS, your "
            "password or API token)."
        ),
        401,
    )
    response["WWW-Authenticate"] = openrosa_auth.challenge(request, stale=stale)
    return response


def _locked_out(request: HttpRequest) -> HttpResponse:
    # ODK Collect shows the message; Retry-After tells any client when to come back.
    seconds = throttle.retry_after_seconds(request)
    response = openrosa_response(throttle.lockout_message(seconds), 429)
    response["Retry-After"] = str(seconds)
    return response


# --- authentication ------------------------------------------------------------------------


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    scheme, _space, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    if not colon or not username:
        return None
    return username, password


def authenticate_basic(request: HttpRequest) -> User | None:
    """The user named by HTTP Basic credentials: password or API token; None otherwise."""
    credentials = basic_credentials(request)
    if credentials is None:
        return None
    username, secret = credentials
    if secret.startswith(TOKEN_PREFIX):
        token = ApiToken.objects.find(secret)
        # The username must be the token's owner: a token alone does not pick the account.
        if token is not None and token.user.get_username() == username:
            if token.is_expired:
                # Read by openrosa_endpoint, which answers that the token expired.
                request.expired_api_token = token  # type: ignore[attr-defined]
                return None
            return token.user
    # Goes through the authentication backends, so a wrong password is audited and
    # counted by the login throttle as usual (and refused while it is locked).
    user = authenticate(request, username=username, password=secret)
    if user is None or not user.is_active:
        return None
    throttle.forget_failures(request, username)
    return user


def authenticate_request(request: HttpRequest) -> tuple[User | None, HttpResponse | None]:
    """(user, None), or (None, the 401 or 429 answer)."""
    header = request.headers.get("Authorization", "")
    digest = openrosa_auth.parse(header)
    if digest is not None:
        result = openrosa_auth.authenticate_digest(request, digest)
        if result.locked:
            return None, _locked_out(request)
        if result.user is None:
            return None, _unauthorized(request, stale=result.stale)
        return result.user, None
    if basic_credentials(request) is not None and not openrosa_auth.basic_allowed(request):
        # The password crossed the network in clear already; say so rather than use it.
        return None, _unauthorized(
            request,
            _(
                "Basic login is accepted over HTTPS only: use the server's https:// address, "
                "or log in with your ODK Collect password."
            ),
        )
    user = authenticate_basic(request)
    expired_token = getattr(request, "expired_api_token", None)
    if user is None and getattr(request, "axes_locked_out", False):
        return None, _locked_out(request)
    if user is None and expired_token is not None:
        return None, _unauthorized(request, expired_token.expiry_message())
    if user is None:
        return None, _unauthorized(request)
    return user, None


def openrosa_endpoint(view: OpenRosaView) -> OpenRosaView:
    """Authentication (401), the panel in the user's collecting scope (404), the header."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, panel_code: str, *args: Any, **kwargs: Any) -> HttpResponse:
        user, refusal = authenticate_request(request)
        if refusal is not None or user is None:
            response = refusal or _unauthorized(request)
        else:
            panel = (
                Panel.objects.visible_to(user, *COLLECTOR_ROLES)
                .select_related("territory", "questionnaire")
                .filter(code=panel_code)
                .first()
            )
            if panel is None:
                response = openrosa_response(_("Not found."), 404)
            else:
                request.user = user
                response = view(request, panel, *args, **kwargs)
        response["X-OpenRosa-Version"] = OPENROSA_VERSION
        return response

    return wrapped


# --- the form ------------------------------------------------------------------------------


@dataclass(frozen=True)
class XForm:
    form_id: str
    version: str
    name: str
    xml: str
    md5: str


class FormUnavailable(Exception):
    """The panel's form cannot be built (no roster yet, say); the message says why."""


def _fingerprint(panel: Panel) -> str:
    questionnaire = panel.questionnaire
    roster = list(
        panel.respondents.filter(is_active=True).order_by("code").values_list("code", "role")
    )
    shown = repr(
        (
            questionnaire.pk,
            questionnaire.version,
            panel.pk,
            panel.code,
            panel.local_provider_name,
            roster,
        )
    )
    return hashlib.sha256(shown.encode("utf-8")).hexdigest()


def xform_for(panel: Panel) -> XForm:
    """The panel's XForm, built from its XLSForm; cached per questionnaire version and roster."""
    key = f"panels:xform:{_fingerprint(panel)}"
    cached = cache.get(key)
    if cached is not None:
        return XForm(**cached)
    from pyxform.errors import PyXFormError
    from pyxform.xls2xform import convert

    from convivencia.panels.importers import xlsform

    try:
        workbook = xlsform.export_xlsform(panel.questionnaire, panel=panel)
        xml = convert(xlsform=workbook, file_type=".xlsx").xform
    except (ValueError, PyXFormError) as exc:
        raise FormUnavailable(str(exc)) from exc
    form = _describe(xml, fallback_id=panel.code, fallback_version=str(panel.questionnaire.version))
    cache.set(key, asdict(form), CACHE_SECONDS)
    return form


def _describe(xml: str, *, fallback_id: str, fallback_version: str) -> XForm:
    """Form id, version and title as the XForm states them (its primary instance)."""
    root = fromstring(xml.encode("utf-8"))
    instance = root.find(f".//{{{XFORMS_NS}}}instance")
    data = next(iter(instance), None) if instance is not None else None
    title = root.find(f".//{{{XHTML_NS}}}title")
    return XForm(
        form_id=(data.get("id") if data is not None else None) or fallback_id,
        version=(data.get("version") if data is not None else None) or fallback_version,
        name=(title.text if title is not None else None) or fallback_id,
        xml=xml,
        md5=hashlib.md5(xml.encode("utf-8"), usedforsecurity=False).hexdigest(),
    )


def _form_or_error(panel: Panel) -> XForm | HttpResponse:
    try:
        return xform_for(panel)
    except FormUnavailable as exc:
        return openrosa_response(
            _("The form of panel %(panel)s cannot be built: %(reason)s")
            % {"panel": panel.code, "reason": exc},
            409,
        )


@openrosa_endpoint
@require_http_methods(["GET", "HEAD"])
def form_list(request: HttpRequest, panel: Panel) -> HttpResponse:
    form = _form_or_error(panel)
    if isinstance(form, HttpResponse):
        return form
    root = Element("xforms", xmlns=XFORMS_LIST_NS)
    wanted = request.GET.get("formID")
    if not wanted or wanted == form.form_id:
        entry = SubElement(root, "xform")
        SubElement(entry, "formID").text = form.form_id
        SubElement(entry, "name").text = form.name
        SubElement(entry, "version").text = form.version
        SubElement(entry, "hash").text = f"md5:{form.md5}"
        SubElement(entry, "downloadUrl").text = request.build_absolute_uri(
            reverse("panels:collection:xform", args=[panel.code, form.form_id])
        )
    return HttpResponse(
        tostring(root, encoding="utf-8", xml_declaration=True), content_type=XML_CONTENT_TYPE
    )


@openrosa_endpoint
@require_http_methods(["GET", "HEAD"])
def form_download(request: HttpRequest, panel: Panel, form_id: str) -> HttpResponse:
    form = _form_or_error(panel)
    if isinstance(form, HttpResponse):
        return form
    if form_id != form.form_id:
        return openrosa_response(_("Not found."), 404)
    return HttpResponse(form.xml.encode("utf-8"), content_type=XML_CONTENT_TYPE)


# --- submissions ---------------------------------------------------------------------------


@dataclass
class Instance:
    """What a submitted XForm instance says, before any checking."""

    respondent: str
    values: dict[str, str]
    instance_id: str
    end: datetime.datetime | None
    today: datetime.date | None
    form_id: str = ""
    form_version: str = ""
    deprecated_id: str = ""
    # Every answered leaf by its path below the root ("group/question"), for forms read
    # through a field mapping; a repeated path (a repeat group) keeps every value.
    fields: dict[str, Any] = field(default_factory=dict)


def _local_name(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _leaves(element: Any, path: str, fields: dict[str, Any]) -> None:
    for child in element:
        name = _local_name(child.tag)
        if not name:
            continue
        child_path = f"{path}/{name}" if path else name
        if len(child):
            _leaves(child, child_path, fields)
            continue
        text = (child.text or "").strip()
        if text == "":
            continue
        if child_path in fields:
            earlier = fields[child_path]
            fields[child_path] = [*earlier, text] if isinstance(earlier, list) else [earlier, text]
        else:
            fields[child_path] = text


def parse_instance(data: bytes, item_codes: set[str]) -> Instance:
    """Read an instance: leaves anywhere (groups nest them), matched by name.

    Raises ValueError when the document is not XML.
    """
    try:
        root = fromstring(data)
    # LookupError: an XML declaration naming an encoding Python does not know ("tf-8").
    except (ParseError, DefusedXmlException, LookupError) as exc:
        raise ValueError(str(exc)) from exc
    respondent = instance_id = deprecated_id = end_text = today_text = ""
    values: dict[str, str] = {}
    for element in root.iter():
        if len(element):
            continue  # a group: its leaves are visited in turn
        name = _local_name(element.tag)
        lowered = name.lower()
        text = (element.text or "").strip()
        if lowered == "instanceid":
            instance_id = instance_id or text
        elif lowered == "deprecatedid":
            deprecated_id = deprecated_id or text
        elif lowered in file_import.RESPONDENT_NAMES:
            respondent = respondent or text
        elif lowered == "end":
            end_text = end_text or text
        elif lowered == "today":
            today_text = today_text or text
        elif lowered in item_codes and lowered not in values:
            values[lowered] = text
    today = None
    if today_text:
        try:
            today = datetime.date.fromisoformat(today_text[:10])
        except ValueError:
            today = None
    fields: dict[str, Any] = {}
    _leaves(root, "", fields)
    for meta in ("meta/instanceID", "meta/deprecatedID", "meta/instanceName"):
        fields.pop(meta, None)
    return Instance(
        respondent=respondent,
        values={code: value for code, value in values.items() if value != ""},
        instance_id=file_import.normalise_instance_id(instance_id),
        end=file_import.parse_timestamp(end_text),
        today=today,
        form_id=(root.get("id") or "").strip(),
        # ODK Collect keeps the form's attributes: "orx:version" when the form wrote it so.
        form_version=(root.get("version") or root.get(ORX_VERSION) or "").strip(),
        deprecated_id=file_import.normalise_instance_id(deprecated_id) if deprecated_id else "",
        fields=fields,
    )


# --- which form an instance is of ------------------------------------------------------------


def _item_codes(questionnaire: Questionnaire) -> set[str]:
    return {code.lower() for code in questionnaire.items.values_list("code", flat=True)}


def _older_version_problem(
    panel: Panel, older: Questionnaire | None, version: str, current_version: str
) -> str:
    """Why an older version's instance cannot be read into the current form ('' if it can);
    ``current_version`` is the current form's version as its collectors know it."""
    current = panel.questionnaire
    if older is None:
        return _(
            "Version %(version)s of this form no longer exists on the server; get the blank "
            "form again in ODK Collect (current version %(current)s)."
        ) % {"version": version or "—", "current": current_version}
    missing = sorted(_item_codes(older) - _item_codes(current))
    if missing:
        return _(
            "Version %(version)s of this form asks %(items)s, which the current version "
            "(%(current)s) no longer has; get the blank form again in ODK Collect."
        ) % {"version": version, "items": ", ".join(missing), "current": current_version}
    return ""


def is_made_elsewhere_form(panel: Panel) -> bool:
    """The panel's questionnaire was imported from a form made elsewhere, whose instances
    it takes besides those of its own form."""
    form_id = panel.questionnaire.form_id
    return bool(form_id) and form_id != panel.code


def is_made_elsewhere(panel: Panel, instance: Instance) -> bool:
    """The instance is of the form the panel's questionnaire was imported from."""
    return is_made_elsewhere_form(panel) and instance.form_id == panel.questionnaire.form_id


def form_problem(panel: Panel, form: XForm, instance: Instance) -> str:
    """Why an instance cannot be read as one of the panel's own form ('' if it can)."""
    current = panel.questionnaire
    if instance.form_id != form.form_id and is_made_elsewhere_form(panel):
        # The panel also takes the form its questionnaire was imported from: say both.
        return _(
            "This submission is for form “%(form)s”, but panel %(panel)s collects form "
            "“%(expected)s” or “%(imported)s”, the form its questionnaire was imported "
            "from: get the panel's blank form in ODK Collect."
        ) % {
            "form": instance.form_id or "—",
            "panel": panel.code,
            "expected": form.form_id,
            "imported": current.form_id,
        }
    if instance.form_id != form.form_id:
        return _(
            "This submission is for form “%(form)s”, but panel %(panel)s collects form "
            "“%(expected)s”: get the panel's blank form in ODK Collect."
        ) % {"form": instance.form_id or "—", "panel": panel.code, "expected": form.form_id}
    if instance.form_version == form.version:
        return ""
    # Our versions are "<questionnaire version>.<digest of roster and provider>": the
    # same questionnaire version asks the same items, whatever the roster was then.
    number = instance.form_version.split(".", 1)[0]
    if number == str(current.version):
        return ""
    older = (
        Questionnaire.objects.filter(code=current.code, version=int(number)).first()
        if number.isdigit()
        else None
    )
    return _older_version_problem(panel, older, instance.form_version, str(current.version))


def made_elsewhere_problem(panel: Panel, instance: Instance) -> tuple[str, Questionnaire | None]:
    """For an instance of the form made elsewhere: ('', the questionnaire whose mapping
    reads it) or (why it cannot be read, None)."""
    current = panel.questionnaire
    if instance.form_version == current.form_version:
        older: Questionnaire | None = current
    else:
        older = (
            Questionnaire.objects.filter(
                form_id=current.form_id, form_version=instance.form_version
            )
            .order_by("-version")
            .first()
        )
    # A form made elsewhere is known to its collectors by its own version.
    shown = current.form_version or str(current.version)
    problem = _older_version_problem(panel, older, instance.form_version, shown)
    if not problem and older is not None and not older.field_mappings.exists():
        problem = _("Version %(version)s of form %(form)s has no field mapping on the server.") % {
            "version": instance.form_version,
            "form": instance.form_id,
        }
    return problem, None if problem else older


def submission_period(instance: Instance) -> datetime.date:
    """The month a submission belongs to (see the module's docstring)."""
    if instance.end is not None:
        day = instance.end.date()  # in the phone's own offset, as the enumerator saw it
    elif instance.today is not None:
        day = instance.today
    else:
        day = timezone.localdate()
    return day.replace(day=1)


@openrosa_endpoint
@require_http_methods(["HEAD", "POST"])
def submission(request: HttpRequest, panel: Panel) -> HttpResponse:
    response = _submission(request, panel)
    response["X-OpenRosa-Accept-Content-Length"] = str(MAX_SUBMISSION_BYTES)
    return response


def _submission(request: HttpRequest, panel: Panel) -> HttpResponse:
    if request.method == "HEAD":
        return HttpResponse(status=204)
    try:
        upload = request.FILES.get("xml_submission_file")
    except MultiPartParserError:  # Django would answer a bare 400 page Collect cannot show
        upload = None
    if upload is None:
        return openrosa_response(_("The request has no xml_submission_file."), 400)
    if upload.size and upload.size > MAX_SUBMISSION_BYTES:
        return openrosa_response(_("The submission is too large."), 413)
    try:
        instance = parse_instance(upload.read(), _item_codes(panel.questionnaire))
    except ValueError:
        return openrosa_response(_("The submission is not a readable XForm instance."), 400)
    for identifier in (instance.instance_id, instance.deprecated_id):
        if len(identifier) > file_import.MAX_ID_LENGTH:
            # Longer than Submission.instance_id: PostgreSQL would refuse the row with a 500.
            return openrosa_response(
                _("The submission's instanceID is longer than %(max)s characters.")
                % {"max": file_import.MAX_ID_LENGTH},
                400,
            )
    made_elsewhere: Questionnaire | None = None
    if is_made_elsewhere(panel, instance):
        problem, made_elsewhere = made_elsewhere_problem(panel, instance)
    else:
        form = _form_or_error(panel)
        if isinstance(form, HttpResponse):
            return form
        problem = form_problem(panel, form, instance)
    if problem:
        return openrosa_response(problem, 400)
    if instance.instance_id and (
        Submission.objects.filter(instance_id=instance.instance_id).exists()
        or edits.replaced_by(instance.instance_id) is not None
    ):
        # ODK Collect marks a 202 as sent: the answers are here already, stored once.
        return openrosa_response(
            _("Already received: this submission is stored."), 202, "submit_success"
        )
    raw = _raw_submission(instance, made_elsewhere, upload)
    if instance.deprecated_id:
        return _edit(request, panel, instance, raw)
    period = submission_period(instance)
    wave = Wave.objects.filter(panel=panel, period=period).first()
    if wave is None:
        return openrosa_response(
            _("Panel %(panel)s has no open wave for %(month)s; ask a coordinator to open it.")
            % {"panel": panel.code, "month": period.strftime("%Y-%m")},
            400,
        )
    try:
        stored = collection.accept(wave, [raw], SubmissionSource.OPENROSA, enumerator=request.user)
    except collection.Refused as exc:
        return _refused(wave, exc)
    if stored.duplicates:
        return openrosa_response(
            _("Already received: this submission is stored."), 202, "submit_success"
        )
    return openrosa_response(
        _("Received: respondent %(code)s, wave %(wave)s.")
        % {"code": raw.respondent_code, "wave": wave.label},
        201,
        "submit_success",
    )


def repeat_instances(root: Any, path: str) -> list[dict[str, Any]]:
    """Each instance of the repeat at ``path`` (below the root, e.g. "children/child") as
    its answered leaves by their path inside it: [{"name": "Billy", "age": "4"}, …].

    Read from the document, not from the flattened fields: there a repeat's questions
    are separate lists, which cannot be paired again once an instance left one empty.
    """
    found = [root]
    for part in mapping.field_key(path).split("/"):
        found = [
            child
            for element in found
            for child in element
            if _local_name(child.tag).lower() == part
        ]
    instances = []
    for element in found:
        leaves: dict[str, Any] = {}
        _leaves(element, "", leaves)
        if leaves:
            instances.append(leaves)
    return instances


def _raw_submission(
    instance: Instance, made_elsewhere: Questionnaire | None, upload: Any
) -> collection.RawSubmission:
    if made_elsewhere is not None:
        form_mapping = mapping.mapping_for(made_elsewhere)
        fields = {
            name: value
            for name, value in instance.fields.items()
            if name not in ("start", "end", "today", "deviceid")
        }
        repeats = [
            mapped.name for mapped in form_mapping.fields if mapped.kind in mapping.REPEAT_KINDS
        ]
        if repeats:
            upload.seek(0)
            root = fromstring(upload.read())
            for name in repeats:
                key = mapping.field_key(name)
                # The flattened leaves of the repeat's questions give way to its instances.
                fields = {
                    path: value
                    for path, value in fields.items()
                    if not (mapping.field_key(path) + "/").startswith(key + "/")
                }
                instances = repeat_instances(root, name)
                if instances:
                    fields[name] = instances
        return mapping.raw_submission(
            form_mapping,
            fields,
            instance_id=instance.instance_id,
            submitted_at=instance.end,
        )
    return collection.RawSubmission(
        respondent_code=instance.respondent,
        values=instance.values,
        instance_id=instance.instance_id,
        submitted_at=instance.end,
    )


def _refused(wave: Wave, exc: collection.Refused) -> HttpResponse:
    problems = "; ".join(str(problem) for problem in exc.checked.problems)
    return openrosa_response(
        _("Not accepted (wave %(wave)s): %(problems)s")
        % {"wave": wave.label, "problems": problems},
        400,
    )


def _edit(
    request: HttpRequest, panel: Panel, instance: Instance, raw: collection.RawSubmission
) -> HttpResponse:
    try:
        _stored, wave = edits.replace(
            panel, instance.deprecated_id, raw, SubmissionSource.OPENROSA, enumerator=request.user
        )
    except edits.EditRefused as exc:
        return openrosa_response(str(exc), 400)
    except collection.Refused as exc:
        wave = Wave.objects.get(submissions__instance_id=instance.deprecated_id)
        return _refused(wave, exc)
    return openrosa_response(
        _("Edit received: respondent %(code)s, wave %(wave)s; it replaces %(old)s.")
        % {"code": raw.respondent_code, "wave": wave.label, "old": instance.deprecated_id},
        201,
        "submit_success",
    )
