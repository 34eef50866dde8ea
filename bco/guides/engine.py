"""The guide engine: what the tracer says and asks next. Pure: no I/O, no clock, given `today`."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from bco.guides import prompt_ids
from bco.guides.categories import Categorisation, categorise
from bco.guides.completeness import Completeness, MissingItem, completeness
from bco.guides.errors import FactError
from bco.guides.model import (
    ConsistencyRule,
    DayProbing,
    Guide,
    ProbeKind,
    Probing,
    Question,
    Script,
    Section,
    Setting,
)
from bco.guides.phrasing import fill, format_day, yes_no
from bco.guides.progress import Progress, blocking_question, measure, values_read
from bco.guides.state import ContactFacts, InterviewState
from bco.guides.windows import DateRange, WindowError, Windows, exposure_windows

__all__ = [
    "Categorisation", "Changes", "Completeness", "ContactFacts", "DateRange", "FactError",
    "InterviewState", "MissingItem", "SectionView", "Step", "StepView", "WindowError", "Windows",
    "all_steps", "categorise", "changes", "completeness", "exposure_windows", "next_steps",
    "resume_point",
]

StepKind = Literal["script", "question", "probe"]
Trigger = Literal["day", "setting", "household", "consistency", "final"]
ItemStatus = Literal["open", "answered", "done", "waiting", "skipped", "later", "not_needed"]


@dataclass(frozen=True)
class Step:
    """One thing for the tracer to say, ask or probe, in the tracer's language."""

    id: str
    kind: StepKind
    text: str
    section: str
    type: str | None = None
    required: bool = False
    options: tuple[tuple[object, str], ...] = ()
    why: str | None = None
    help: str | None = None
    trigger: Trigger | None = None
    day: date | None = None
    setting: str | None = None
    cues: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return the CLI/API shape; keys that do not apply to this kind of step are left out."""
        shape: dict[str, Any] = {"id": self.id, "kind": self.kind, "text": self.text,
                                 "section": self.section}
        if self.kind == "question":
            shape["type"] = self.type
            shape["required"] = self.required
            if self.options:
                shape["options"] = [{"value": v, "label": label} for v, label in self.options]
        if self.kind == "probe":
            shape["trigger"] = self.trigger
            if self.day is not None:
                shape["day"] = self.day.isoformat()
            if self.setting is not None:
                shape["setting"] = self.setting
        for key in ("why", "help"):
            if getattr(self, key) is not None:
                shape[key] = getattr(self, key)
        if self.cues:
            shape["cues"] = list(self.cues)
        return shape


@dataclass(frozen=True)
class StepView:
    """A step and where it stands, so a screen can show the whole guide, not only what is next."""

    step: Step
    status: ItemStatus
    answer: object = None

    def to_json(self) -> dict[str, Any]:
        """Return the step's shape plus its status and answer."""
        shape = self.step.to_json()
        shape["status"] = self.status
        if self.status == "answered":
            shape["answer"] = self.answer
        return shape


@dataclass(frozen=True)
class SectionView:
    """One section of the guide with every step in it."""

    id: str
    title: str
    why: str | None
    steps: tuple[StepView, ...]

    def to_json(self) -> dict[str, Any]:
        """Return the section with its steps."""
        return {"id": self.id, "title": self.title, "why": self.why,
                "steps": [s.to_json() for s in self.steps]}


def next_steps(guide: Guide, state: InterviewState, today: date, language: str) -> list[Step]:
    """List what is left in the order the tracer should take it; the first is the current step."""
    check_language(guide, language)
    progress = measure(guide, state, today)
    return [view.step for section in guide.sections
            for view in _section_views(guide, section, state, progress, language)
            if view.status == "open"]


def all_steps(guide: Guide, state: InterviewState, today: date, language: str, *,
              progress: Progress | None = None) -> list[SectionView]:
    """Show every section with all its steps and their status, answered or not.

    `progress` is `measure(guide, state, today)` when the caller has it already (a screen
    also scores completeness from it), so it is not worked out twice.
    """
    check_language(guide, language)
    if progress is None:
        progress = measure(guide, state, today)
    return [
        SectionView(
            id=section.id,
            title=section.title.in_language(language),
            why=None if section.why is None else section.why.in_language(language),
            steps=tuple(_section_views(guide, section, state, progress, language)),
        )
        for section in guide.sections
    ]


def resume_point(guide: Guide, state: InterviewState, progress: Progress,
                 sections: Sequence[SectionView]) -> Step | None:
    """Where the tracer goes on: the first open *required* item in guide order, so an optional
    question left open or a line left unmarked never holds the interview (or a resume) up.

    A required item is a required question (or an optional one a waiting required question
    depends on) or a probe, all of which completeness counts. When its section has not been
    started yet, the lines that lead into it come first: its opening lines, and those of the
    sections of lines only just before it. Nothing required open: None.
    """
    blockers = {
        blocking_question(guide, question.show_if, state.answers, progress.applicable)
        for question in guide.questions.values()
        if question.required and question.show_if is not None
        and progress.questions[question.id] == "waiting"
    }
    lead_in: list[Step] = []  # open lines of sections with lines only, since the last other
    for section in sections:
        body = [view for view in section.steps if view.step.kind != "script"]
        if not body:
            lead_in.extend(view.step for view in section.steps if view.status == "open")
            continue
        started = any(view.status in ("answered", "done") for view in body)
        opening: list[Step] = []
        for view in section.steps:
            if view.step.kind == "script":
                if view.status == "open" and not started:
                    opening.append(view.step)
                continue
            if view.status != "open":
                continue
            required = (view.step.kind == "probe" or view.step.required
                        or view.step.id in blockers)
            if required:
                return view.step if started else [*lead_in, *opening, view.step][0]
        lead_in = []
    return None


@dataclass(frozen=True)
class Changes:
    """What a screen shows differently after a change to the interview."""

    steps: frozenset[str]  # steps shown differently: status, text or answer
    layout: bool  # steps came or went (the probes of a moved window)
    measured: bool  # progress or contacts moved, so completeness and the day list may have too
    days: bool  # the infectious period, a day's status or a contact on a day moved


def changes(guide: Guide, before: InterviewState, after: InterviewState, today: date,
            language: str, *, progress: Progress, sections: Sequence[SectionView]) -> Changes:
    """Compare `before` with `after`, whose `progress` and `sections` the caller has worked out,
    without laying out the whole guide again: `before` is measured, and only a section whose
    statuses differ is laid out again; where only answers differ, only those questions do."""
    reworded = _answers_only(guide, before, after)
    if reworded is not None:
        return Changes(reworded, False, False, False)
    earlier = measure(guide, before, today)
    steps: set[str] = set()
    layout = False
    for section, shown in zip(guide.sections, sections, strict=True):
        was = _section_inputs(guide, section, before, earlier)
        now = _section_inputs(guide, section, after, progress)
        if was == now:
            continue
        if was[0] == now[0]:
            steps.update(q.id for q in section.questions
                         if before.answers.get(q.id) != after.answers.get(q.id))
            continue
        old = {view.step.id: view
               for view in _section_views(guide, section, before, earlier, language)}
        layout = layout or list(old) != [view.step.id for view in shown.steps]
        steps.update(view.step.id for view in shown.steps if old.get(view.step.id) != view)
    inform = guide.inform_question
    informers_moved = inform is not None and before.answers.get(inform) != after.answers.get(inform)
    days = (before.contacts != after.contacts
            or (earlier.windows, earlier.due_days, earlier.later_days, earlier.walked_days)
            != (progress.windows, progress.due_days, progress.later_days, progress.walked_days))
    return Changes(frozenset(steps), layout,
                   earlier != progress or before.contacts != after.contacts or informers_moved,
                   days)


def _answers_only(guide: Guide, before: InterviewState, after: InterviewState
                  ) -> frozenset[str] | None:
    """The questions whose answer changed, when that is all that changed and no status can
    follow from it (answered before and after, and read by no condition, count or date)."""
    if (before.contacts, before.done, before.onset, before.test_date) != (
            after.contacts, after.done, after.onset, after.test_date):
        return None
    changed = {q for q in before.answers.keys() | after.answers.keys()
               if q not in before.answers or q not in after.answers
               or before.answers[q] != after.answers[q]}
    read = values_read(guide)
    if any(q not in before.answers or q not in after.answers or q in read for q in changed):
        return None
    return frozenset(q for q in changed if q in guide.questions)


def _section_inputs(guide: Guide, section: Section, state: InterviewState, progress: Progress
                    ) -> tuple[tuple[object, ...], tuple[object, ...]]:
    """Everything a section's views are made from: statuses first, then the answers shown."""
    statuses: list[object] = [progress.questions[q.id] for q in section.questions]
    for kind in section.probes:
        if kind == "days":
            statuses.append((progress.due_days, progress.later_days, progress.walked_days))
        elif kind == "settings":
            statuses.append(progress.asked_settings)
        elif kind == "household":
            statuses.append((progress.household_stated, progress.household_recorded,
                             progress.household, "household" in state.done))
        elif kind == "consistency":
            statuses.append(tuple((progress.consistency[rule.id],
                                   f"consistency:{rule.id}" in state.done)
                                  for rule in guide.probing.consistency))
        elif kind == "final":
            statuses.append(progress.final_done)
    statuses.append(tuple(f"script:{script.id}" in state.done for script in section.scripts))
    return tuple(statuses), tuple(state.answers.get(q.id) for q in section.questions)


def check_language(guide: Guide, language: str) -> None:
    """Refuse a language the guide is not written in, naming the ones it has."""
    if language not in guide.languages:
        raise ValueError(f"guide {guide.id} has no {language!r} text; "
                         f"choose one of: {', '.join(guide.languages)}")


def _section_views(guide: Guide, section: Section, state: InterviewState, progress: Progress,
                   language: str) -> Iterator[StepView]:
    """Yield a section's steps: opening lines, questions, probes, closing lines."""
    body = [view for view in _questions(section, state, progress, language)]
    for kind in section.probes:
        body.extend(_probes(guide, kind, section.id, state, progress, language))
    active = any(view.status == "open" for view in body)
    # Once something in the section is answered the tracer has moved past its opening lines,
    # marked as said or not: they no longer hold up the next step.
    passed = any(view.status in ("answered", "done") for view in body)
    for script in section.scripts:
        if script.at != "start":
            continue
        done = prompt_ids.for_script(script.id) in state.done
        status: ItemStatus = ("done" if done else "not_needed" if passed
                              else "open" if active or not body else "not_needed")
        yield StepView(_script_step(script, section.id, language), status)
    yield from body
    for script in section.scripts:
        if script.at == "end":
            done = prompt_ids.for_script(script.id) in state.done
            yield StepView(_script_step(script, section.id, language),
                           "done" if done else "open")


def _built(source: object, key: tuple[object, ...], build: Callable[..., Step],
           *args: Any) -> Step:
    """A step's text depends only on the guide and the language, so each is built once per
    process: a screen runs the engine on every save, and building steps was most of its cost.
    Keyed by the guide part's identity (kept in the entry, so a reused id never matches)."""
    full = (id(source), *key)
    found = _STEPS.get(full)
    if found is not None and found[0] is source:
        return found[1]
    step = build(*args)
    if len(_STEPS) >= _MAX_STEPS:
        _STEPS.clear()  # guides reloaded many times over: start again rather than grow
    _STEPS[full] = (source, step)
    return step


_STEPS: dict[tuple[object, ...], tuple[object, Step]] = {}
_MAX_STEPS = 20_000


def _script_step(script: Script, section: str, language: str) -> Step:
    """Build the step for a scripted line."""
    return _built(script, (section, language), _new_script_step, script, section, language)


def _new_script_step(script: Script, section: str, language: str) -> Step:
    return Step(id=prompt_ids.for_script(script.id), kind="script",
                text=script.text.in_language(language), section=section)


def _questions(section: Section, state: InterviewState, progress: Progress,
               language: str) -> Iterator[StepView]:
    """Yield each question with its status; answered ones are never open again."""
    for question in section.questions:
        status = progress.questions[question.id]
        yield StepView(_question_step(question, language), status,
                       state.answers.get(question.id))


def _question_step(question: Question, language: str) -> Step:
    """Build the step for one question with its options in `language`."""
    return _built(question, (language,), _new_question_step, question, language)


def _new_question_step(question: Question, language: str) -> Step:
    options: tuple[tuple[object, str], ...] = tuple(
        (o.value, o.label.in_language(language)) for o in question.options
    )
    if question.type == "yesno":
        yes, no = yes_no(language)
        options = ((True, yes), (False, no))
    return Step(
        id=question.id, kind="question", text=question.text.in_language(language),
        section=question.section, type=question.type, required=question.required, options=options,
        why=None if question.why is None else question.why.in_language(language),
        help=None if question.help is None else question.help.in_language(language),
    )


def _probes(guide: Guide, kind: ProbeKind, section: str, state: InterviewState,
            progress: Progress, language: str) -> Iterator[StepView]:
    """Yield the probing prompts of one kind with their status."""
    probing = guide.probing
    if kind == "days" and probing.days is not None:
        days = progress.due_days + progress.later_days
        if probing.days.order == "newest_first":
            days = tuple(reversed(days))
        for day in days:
            status: ItemStatus = (
                "later" if day in progress.later_days else
                "done" if day in progress.walked_days else "open"
            )
            yield StepView(_built(probing.days, (day, section, language), _day_step,
                                  probing.days, day, section, language), status)
    elif kind == "settings":
        for setting in guide.settings:
            status = "done" if setting.id in progress.asked_settings else "open"
            yield StepView(_built(setting, (section, language), _setting_step, setting, section,
                                  language), status)
    elif kind == "household" and probing.household is not None:
        text = fill(probing.household.text.in_language(language),
                    stated=progress.household_stated if progress.household_stated is not None
                    else "?", recorded=progress.household_recorded)
        household_status = progress.household
        yield StepView(Step(
            id=prompt_ids.HOUSEHOLD, kind="probe", text=text, section=section, trigger="household",
            setting=_home_setting(guide),
        ), _trigger_status(household_status, prompt_ids.HOUSEHOLD in state.done))
    elif kind == "consistency":
        for rule in probing.consistency:
            probe_id = prompt_ids.for_consistency(rule.id)
            yield StepView(_built(rule, (section, language), _consistency_step, rule, section,
                                  language),
                           _trigger_status(progress.consistency[rule.id], probe_id in state.done))
    elif kind == "final":
        yield StepView(_built(probing, (section, language), _final_step, probing, section,
                              language), "done" if progress.final_done else "open")


def _day_step(days: DayProbing, day: date, section: str, language: str) -> Step:
    text = fill(days.text.in_language(language), day=format_day(day, language))
    return Step(id=prompt_ids.for_day(day), kind="probe", text=text, section=section,
                trigger="day", day=day, cues=days.cues.in_language(language))


def _setting_step(setting: Setting, section: str, language: str) -> Step:
    return Step(id=prompt_ids.for_setting(setting.id), kind="probe",
                text=setting.prompt.in_language(language),
                section=section, trigger="setting", setting=setting.id,
                cues=setting.cues.in_language(language))


def _consistency_step(rule: ConsistencyRule, section: str, language: str) -> Step:
    return Step(id=prompt_ids.for_consistency(rule.id), kind="probe",
                text=rule.text.in_language(language),
                section=section, trigger="consistency", setting=rule.unless_contacts_in,
                cues=rule.cues.in_language(language))


def _final_step(probing: Probing, section: str, language: str) -> Step:
    return Step(id=prompt_ids.FINAL, kind="probe", text=probing.final.in_language(language),
                section=section, trigger="final", cues=probing.final_cues.in_language(language))


def _trigger_status(status: str, done: bool) -> ItemStatus:
    """Map a triggered probe's state to what a screen shows."""
    if done:
        return "done"
    return {"open": "open", "waiting": "waiting"}.get(status, "not_needed")  # type: ignore[return-value]


def _home_setting(guide: Guide) -> str | None:
    """Name the home setting for the household probe when the guide has one."""
    return "home" if "home" in guide.setting_ids else None
