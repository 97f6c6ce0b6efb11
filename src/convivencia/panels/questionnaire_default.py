"""The default trust and perception questionnaire ("confianza", version 1).

Items follow standard instruments so that panel results can be set beside
national surveys:

- LAPOP AmericasBarometer trust items, 1–7 (B18 police, B12 armed forces,
  B10A justice system, B32 municipal government), with the same wording for the
  Prosecutor's Office, local judges and one provider each territory names;
- LAPOP AOJ11 (neighbourhood insecurity) and AOJ12 (trust that the justice
  system would punish the guilty), VIC1 (victimisation) and INFRAX (police
  response time);
- Afrobarometer's "felt unsafe walking in your neighbourhood" frequency scale;
- SDG 16.3.1: the share of victims who reported to a competent authority.

Texts use straight quotes: pyxform turns curly ones into straight ones (so that
they work in expressions), and a form read back must say exactly what was written.

Version 1 is frozen once created: answers point at its items, and changing a
wording would silently change what the trend measures. A new wording is a new
version (import an edited XLSForm).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from convivencia.panels.choices import DONT_KNOW, NO_ANSWER, ItemType, Provider
from convivencia.panels.models import Choice, Item, Questionnaire

CODE = "confianza"
VERSION = 1
LOCAL_PROVIDER_PLACEHOLDER = "{local_provider}"

Texts = dict[str, str]

TITLE: Texts = {
    "es": "Confianza y percepción de seguridad",
    "en": "Trust and perception of security",
    "pt": "Confiança e percepção de segurança",
}

# Offered by every scale and choice item: counted apart, never in averages.
MISSING: tuple[tuple[int, Texts], ...] = (
    (DONT_KNOW, {"es": "No sabe", "en": "Don't know", "pt": "Não sabe"}),
    (NO_ANSWER, {"es": "No responde", "en": "No answer", "pt": "Não respondeu"}),
)


@dataclass(frozen=True)
class ItemSpec:
    """One item of the default questionnaire, as data."""

    code: str
    type: str
    wording: Texts
    choices: tuple[tuple[int, Texts], ...]
    provider: str = ""
    scale: tuple[int, int] | None = None
    top_min: int | None = None
    reverse_coded: bool = False
    # (item code, answers that show this item)
    relevant: tuple[str, tuple[int, ...]] | None = None
    required: bool = True


def _trust_scale() -> tuple[tuple[int, Texts], ...]:
    """LAPOP's 1–7 card: only the ends are named."""
    ends = {
        1: {"es": "1 – Nada", "en": "1 – Not at all", "pt": "1 – Nada"},
        7: {"es": "7 – Mucho", "en": "7 – A lot", "pt": "7 – Muito"},
    }
    return tuple(
        (value, ends.get(value, {"es": str(value), "en": str(value), "pt": str(value)}))
        for value in range(1, 8)
    )


def _trust(code: str, provider: str, es: str, en: str, pt: str) -> ItemSpec:
    return ItemSpec(
        code=code,
        type=ItemType.SCALE,
        wording={
            "es": f"¿Hasta qué punto tiene usted confianza en {es}?",
            "en": f"To what extent do you trust {en}?",
            "pt": f"Até que ponto o(a) senhor(a) confia {pt}?",
        },
        choices=_trust_scale(),
        provider=provider,
        scale=(1, 7),
        # LAPOP reports 5–7 as "trusts".
        top_min=5,
    )


YES_NO: tuple[tuple[int, Texts], ...] = (
    (1, {"es": "Sí", "en": "Yes", "pt": "Sim"}),
    (0, {"es": "No", "en": "No", "pt": "Não"}),
)

COMPARED_WITH_LAST_MONTH_SCALE = (1, 3)

ITEMS: tuple[ItemSpec, ...] = (
    _trust(
        "B18", Provider.POLICE, "la Policía Nacional", "the National Police", "na Polícia Nacional"
    ),
    _trust(
        "B12",
        Provider.ARMED_FORCES,
        "las Fuerzas Armadas",
        "the Armed Forces",
        "nas Forças Armadas",
    ),
    _trust(
        "B10A",
        Provider.JUSTICE_SYSTEM,
        "el sistema de justicia",
        "the justice system",
        "no sistema de justiça",
    ),
    _trust(
        "B32",
        Provider.MUNICIPAL_GOVERNMENT,
        "la alcaldía de su municipio",
        "your municipal government",
        "na prefeitura do seu município",
    ),
    _trust(
        "PROSEC",
        Provider.PROSECUTOR,
        "la Fiscalía",
        "the Prosecutor's Office",
        "no Ministério Público",
    ),
    _trust(
        "JUDGES",
        Provider.JUDGES,
        "los jueces de su municipio",
        "the judges of your municipality",
        "nos juízes do seu município",
    ),
    # Each panel names its own provider (a guardia indígena, a consejo comunitario…);
    # the form shown to respondents carries that name instead of the placeholder.
    _trust(
        "LOCALPROV",
        Provider.LOCAL_PROVIDER,
        LOCAL_PROVIDER_PLACEHOLDER,
        LOCAL_PROVIDER_PLACEHOLDER,
        f"em {LOCAL_PROVIDER_PLACEHOLDER}",
    ),
    ItemSpec(
        code="AOJ11",
        type=ItemType.SCALE,
        wording={
            "es": "Hablando del barrio o la vereda donde usted vive, y pensando en la "
            "posibilidad de ser víctima de un asalto o robo, ¿usted se siente muy "
            "seguro(a), algo seguro(a), algo inseguro(a) o muy inseguro(a)?",
            "en": "Speaking of the neighbourhood or village where you live, and thinking of "
            "the possibility of being assaulted or robbed, do you feel very safe, "
            "somewhat safe, somewhat unsafe or very unsafe?",
            "pt": "Falando do bairro ou da comunidade onde o(a) senhor(a) mora, e pensando na "
            "possibilidade de ser vítima de um assalto ou roubo, o(a) senhor(a) se sente "
            "muito seguro(a), um pouco seguro(a), um pouco inseguro(a) ou muito "
            "inseguro(a)?",
        },
        choices=(
            (1, {"es": "Muy seguro(a)", "en": "Very safe", "pt": "Muito seguro(a)"}),
            (2, {"es": "Algo seguro(a)", "en": "Somewhat safe", "pt": "Um pouco seguro(a)"}),
            (3, {"es": "Algo inseguro(a)", "en": "Somewhat unsafe", "pt": "Um pouco inseguro(a)"}),
            (4, {"es": "Muy inseguro(a)", "en": "Very unsafe", "pt": "Muito inseguro(a)"}),
        ),
        scale=(1, 4),
        # 1 is "very safe": flipped, so that a high score means safe; 3–4 = (very) safe.
        reverse_coded=True,
        top_min=3,
    ),
    ItemSpec(
        code="AOJ12",
        type=ItemType.SCALE,
        wording={
            "es": "Si usted fuera víctima de un robo o asalto, ¿cuánto confiaría en que el "
            "sistema judicial castigaría al culpable? ¿Confiaría mucho, algo, poco o "
            "nada?",
            "en": "If you were a victim of a robbery or assault, how much would you trust the "
            "judicial system to punish the guilty? A lot, somewhat, a little or not at "
            "all?",
            "pt": "Se o(a) senhor(a) fosse vítima de um roubo ou assalto, quanto confiaria que "
            "o sistema judiciário puniria o culpado? Muito, algo, pouco ou nada?",
        },
        choices=(
            (1, {"es": "Mucho", "en": "A lot", "pt": "Muito"}),
            (2, {"es": "Algo", "en": "Somewhat", "pt": "Algo"}),
            (3, {"es": "Poco", "en": "A little", "pt": "Pouco"}),
            (4, {"es": "Nada", "en": "Not at all", "pt": "Nada"}),
        ),
        provider=Provider.JUSTICE_SYSTEM,
        scale=(1, 4),
        reverse_coded=True,
        top_min=3,
    ),
    ItemSpec(
        code="UNSAFE_WALK",
        type=ItemType.SCALE,
        wording={
            "es": "Durante el último mes, ¿con qué frecuencia se ha sentido inseguro(a) "
            "caminando por su comunidad?",
            "en": "Over the past month, how often, if ever, have you felt unsafe walking in "
            "your community?",
            "pt": "No último mês, com que frequência o(a) senhor(a) se sentiu inseguro(a) "
            "andando pela sua comunidade?",
        },
        choices=(
            (0, {"es": "Nunca", "en": "Never", "pt": "Nunca"}),
            (
                1,
                {
                    "es": "Solo una o dos veces",
                    "en": "Just once or twice",
                    "pt": "Só uma ou duas vezes",
                },
            ),
            (2, {"es": "Varias veces", "en": "Several times", "pt": "Várias vezes"}),
            (3, {"es": "Muchas veces", "en": "Many times", "pt": "Muitas vezes"}),
            (4, {"es": "Siempre", "en": "Always", "pt": "Sempre"}),
        ),
        scale=(0, 4),
        # Afrobarometer order runs from never to always: flipped, 3–4 = never / once or twice.
        reverse_coded=True,
        top_min=3,
    ),
    ItemSpec(
        code="VIC1",
        type=ItemType.YES_NO,
        wording={
            "es": "Durante el último mes, ¿fue usted víctima de algún delito? Es decir, ¿fue "
            "víctima de un robo, hurto, agresión, fraude, extorsión, amenaza o algún otro "
            "tipo de delito?",
            "en": "In the past month, have you been the victim of any crime? That is, have you "
            "been the victim of robbery, theft, assault, fraud, extortion, threats or any "
            "other type of crime?",
            "pt": "No último mês, o(a) senhor(a) foi vítima de algum crime? Ou seja, foi vítima "
            "de roubo, furto, agressão, fraude, extorsão, ameaça ou qualquer outro tipo de "
            "crime?",
        },
        choices=YES_NO,
        # Being a victim is not "favourable": no top_min; the mean is the victimisation rate.
        scale=(0, 1),
    ),
    ItemSpec(
        code="VIC1_REPORT",
        type=ItemType.YES_NO,
        wording={
            "es": "¿Denunció ese delito ante la policía u otra autoridad competente?",
            "en": "Did you report that crime to the police or another competent authority?",
            "pt": "O(a) senhor(a) denunciou esse crime à polícia ou a outra autoridade competente?",
        },
        choices=YES_NO,
        scale=(0, 1),
        # The share answering yes is SDG indicator 16.3.1 (reporting rate of victims).
        top_min=1,
        relevant=("VIC1", (1,)),
    ),
    ItemSpec(
        code="POLRESPECT",
        type=ItemType.SCALE,
        wording={
            "es": "¿Qué tan de acuerdo está con esta frase: «La policía de su municipio trata "
            "a las personas con respeto»?",
            "en": 'How much do you agree with this statement: "The police in your municipality '
            'treat people with respect"?',
            "pt": "Quanto o(a) senhor(a) concorda com esta frase: «A polícia do seu município "
            "trata as pessoas com respeito»?",
        },
        choices=(
            (1, {"es": "Muy de acuerdo", "en": "Strongly agree", "pt": "Concorda muito"}),
            (2, {"es": "Algo de acuerdo", "en": "Somewhat agree", "pt": "Concorda um pouco"}),
            (3, {"es": "Algo en desacuerdo", "en": "Somewhat disagree", "pt": "Discorda um pouco"}),
            (4, {"es": "Muy en desacuerdo", "en": "Strongly disagree", "pt": "Discorda muito"}),
        ),
        provider=Provider.POLICE,
        scale=(1, 4),
        # Agreement comes first on the card: flipped, so 3–4 = agrees the police are respectful.
        reverse_coded=True,
        top_min=3,
    ),
    ItemSpec(
        code="POLTIME",
        type=ItemType.SINGLE,
        wording={
            "es": "Suponga que alguien entra a robar a su casa y usted llama a la policía. "
            "¿Cuánto tiempo cree que se demoraría la policía en llegar, un día "
            "cualquiera a mediodía?",
            "en": "Suppose someone breaks into your home to rob it and you call the police. "
            "How long do you think the police would take to arrive, on an ordinary day "
            "around noon?",
            "pt": "Suponha que alguém entre na sua casa para roubar e o(a) senhor(a) chame a "
            "polícia. Quanto tempo acha que a polícia demoraria para chegar, num dia "
            "qualquer ao meio-dia?",
        },
        choices=(
            (
                1,
                {
                    "es": "Menos de 10 minutos",
                    "en": "Less than 10 minutes",
                    "pt": "Menos de 10 minutos",
                },
            ),
            (
                2,
                {
                    "es": "Entre 10 y 30 minutos",
                    "en": "10 to 30 minutes",
                    "pt": "Entre 10 e 30 minutos",
                },
            ),
            (
                3,
                {
                    "es": "Más de 30 minutos y hasta una hora",
                    "en": "More than 30 minutes, up to an hour",
                    "pt": "Mais de 30 minutos e até uma hora",
                },
            ),
            (4, {"es": "Más de una hora", "en": "More than an hour", "pt": "Mais de uma hora"}),
            (
                5,
                {
                    "es": "La policía no vendría",
                    "en": "The police would not come",
                    "pt": "A polícia não viria",
                },
            ),
        ),
        provider=Provider.POLICE,
    ),
    ItemSpec(
        code="SAFER",
        type=ItemType.SCALE,
        wording={
            "es": "Comparado con el mes pasado, ¿su comunidad está más segura, igual o menos "
            "segura?",
            "en": "Compared with last month, is your community safer, about the same or less safe?",
            "pt": "Comparada com o mês passado, a sua comunidade está mais segura, igual ou "
            "menos segura?",
        },
        choices=(
            (1, {"es": "Más segura", "en": "Safer", "pt": "Mais segura"}),
            (2, {"es": "Igual", "en": "About the same", "pt": "Igual"}),
            (3, {"es": "Menos segura", "en": "Less safe", "pt": "Menos segura"}),
        ),
        # Asked as a single choice, analysed as a 1–3 scale: flipped, 3 = safer.
        scale=COMPARED_WITH_LAST_MONTH_SCALE,
        reverse_coded=True,
        top_min=3,
    ),
    ItemSpec(
        code="ROADS",
        type=ItemType.SCALE,
        wording={
            "es": "Comparado con el mes pasado, ¿las vías rurales de su municipio están más "
            "seguras, igual o peor?",
            "en": "Compared with last month, are the rural roads of your municipality safer, "
            "about the same or worse?",
            "pt": "Comparadas com o mês passado, as estradas rurais do seu município estão mais "
            "seguras, iguais ou piores?",
        },
        choices=(
            (1, {"es": "Más seguras", "en": "Safer", "pt": "Mais seguras"}),
            (2, {"es": "Igual", "en": "About the same", "pt": "Iguais"}),
            (3, {"es": "Peor", "en": "Worse", "pt": "Piores"}),
        ),
        scale=COMPARED_WITH_LAST_MONTH_SCALE,
        reverse_coded=True,
        top_min=3,
    ),
    ItemSpec(
        code="PROBLEMS",
        type=ItemType.MULTIPLE,
        wording={
            "es": "¿Cuáles son los principales problemas de seguridad en su comunidad? Puede "
            "marcar varios.",
            "en": "What are the main security problems in your community? You may choose several.",
            "pt": "Quais são os principais problemas de segurança na sua comunidade? Pode "
            "marcar vários.",
        },
        choices=(
            (1, {"es": "Robos y hurtos", "en": "Robbery and theft", "pt": "Roubos e furtos"}),
            (2, {"es": "Extorsión", "en": "Extortion", "pt": "Extorsão"}),
            (3, {"es": "Grupos armados", "en": "Armed groups", "pt": "Grupos armados"}),
            (4, {"es": "Venta de drogas", "en": "Drug dealing", "pt": "Venda de drogas"}),
            (
                5,
                {
                    "es": "Violencia intrafamiliar",
                    "en": "Domestic violence",
                    "pt": "Violência doméstica",
                },
            ),
            (6, {"es": "Homicidios", "en": "Homicides", "pt": "Homicídios"}),
            (
                7,
                {
                    "es": "Amenazas a líderes sociales",
                    "en": "Threats to social leaders",
                    "pt": "Ameaças a lideranças sociais",
                },
            ),
            (
                8,
                {
                    "es": "Reclutamiento forzado",
                    "en": "Forced recruitment",
                    "pt": "Recrutamento forçado",
                },
            ),
            (9, {"es": "Minería ilegal", "en": "Illegal mining", "pt": "Mineração ilegal"}),
            (10, {"es": "Otro", "en": "Other", "pt": "Outro"}),
        ),
    ),
)


def ensure_default_questionnaire() -> Questionnaire:
    """The default questionnaire, created on first use; an existing one is left as it is."""
    existing = Questionnaire.objects.filter(code=CODE, version=VERSION).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        questionnaire, created = Questionnaire.objects.get_or_create(
            code=CODE, version=VERSION, defaults={"title": TITLE}
        )
        if created:
            _create_items(questionnaire)
    return questionnaire


def _create_items(questionnaire: Questionnaire) -> None:
    by_code: dict[str, Item] = {}
    for position, spec in enumerate(ITEMS, start=1):
        relevant_item = by_code[spec.relevant[0]] if spec.relevant else None
        item = Item.objects.create(
            questionnaire=questionnaire,
            code=spec.code,
            position=position,
            type=spec.type,
            wording=spec.wording,
            provider=spec.provider,
            scale_min=spec.scale[0] if spec.scale else None,
            scale_max=spec.scale[1] if spec.scale else None,
            top_min=spec.top_min,
            reverse_coded=spec.reverse_coded,
            relevant_item=relevant_item,
            relevant_values=list(spec.relevant[1]) if spec.relevant else [],
            required=spec.required,
        )
        by_code[spec.code] = item
        Choice.objects.bulk_create(
            Choice(item=item, value=value, label=label, position=index)
            for index, (value, label) in enumerate((*spec.choices, *MISSING))
        )


class QuestionnaireNotFound(LookupError):
    """A questionnaire named on the command line or in a form does not exist."""


def resolve_questionnaire(spec: str) -> Questionnaire:
    """``default``, ``CODE`` (its latest version) or ``CODE:VERSION``.

    ``default`` creates the default questionnaire if needed. Raises QuestionnaireNotFound
    with a message for the user.
    """
    spec = spec.strip()
    if spec == "default":
        return ensure_default_questionnaire()
    code, _sep, version_text = spec.partition(":")
    versions = Questionnaire.objects.filter(code=code)
    if version_text:
        if not version_text.isdigit():
            raise QuestionnaireNotFound(
                _("“%(version)s” is not a version number (write CODE:VERSION, e.g. confianza:1)")
                % {"version": version_text}
            )
        found = versions.filter(version=int(version_text)).first()
    else:
        found = versions.order_by("-version").first()
    if found is None:
        known = ", ".join(
            f"{row.code}:{row.version}" for row in Questionnaire.objects.order_by("code", "version")
        )
        raise QuestionnaireNotFound(
            _(
                "There is no questionnaire “%(spec)s”. Known: %(known)s. Use “default” for the "
                "default trust and perception questionnaire."
            )
            % {"spec": spec, "known": known or "—"}
        )
    return found
