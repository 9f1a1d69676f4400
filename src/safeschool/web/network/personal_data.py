"""What the platform holds about a person, and what "Download all my data" and "Erase my account" do with it.

PERSONAL_DATA decides, for every model field that points to a user or a network member (in every app), whether its
records are exported and what erasure does to them; tests/web/network/test_personal_data.py fails when a model gains
such a field without a decision here. docs/network.md shows the same table.

The network knows no app built on it (docs/development.md): the Hub and co-creation export and erase their part by
answering the two signals below, connected in their AppConfig.ready(). Both are sent by the network (the export
selector, the erasure service) with the member; export receivers return {section name: JSON-ready records}; erase
receivers run inside the erasure's transaction and delete stored files only once it commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.dispatch import Signal

member_export = Signal()  # send(sender=Member, member=...) -> each receiver returns {section: records}
member_erase = Signal()  # send(sender=Member, member=...) inside member_erase's transaction

ERASED_TEXT = "[erased by its author]"  # what replaces an erased member's text where the record must stay


@dataclass(frozen=True)
class Decision:
    exported: bool
    erasure: str  # deleted | anonymised | unlinked (the reference set to null) | kept | partly: see `why`
    why: str
    fields: tuple[str, ...] = ()  # anonymised: the personal fields erasure replaces or blanks
    via: str = ""  # for a record reached through another (a rating through its panellist): the lookup to the member


_KEPT_WORK = ("kept: a record of work done in a professional role, pointing to the erased account (its name, "
              "e-mail and login gone, deactivated); not about the member as a person, so not exported")

PERSONAL_DATA: dict[str, Decision] = {
    # --------------------------------------------------------------------------------------------- accounts
    "network.Member.user": Decision(
        True, "anonymised", "the profile row stays (posts, ratings and consents point to it) as 'Former member'; "
        "the account loses username, e-mail, names and password and is deactivated",
        fields=("display_name", "stakeholder_type", "sector", "country", "organisation", "languages", "topics", "level", "birth_year",
                "moderator", "notify", "newsletters", "in_directory", "show_organisation", "show_country",
                "show_type", "show_topics")),
    "accounts.Profile.user": Decision(
        False, "kept", "the platform role of the deactivated account (the role predicates read it); nothing "
        "personal"),
    "admin.LogEntry.user": Decision(
        False, "kept", "the administrators' audit log of changes this account made in the admin site"),
    "network.LevelChange.member": Decision(True, "deleted", "the level history says nothing once the person is "
                                                            "gone"),
    "network.ConsentRecord.member": Decision(
        True, "anonymised", "kept, tied to the anonymous profile, as proof of what was agreed and when; the "
        "parent's or guardian's name is replaced (the database requires a name on a parent's web consent)",
        fields=("given_by",)),
    # --------------------------------------------------------------------------------------------- the Hub
    "hub.Community.members": Decision(True, "deleted", "the member leaves every community"),
    "hub.Community.moderators": Decision(True, "deleted", "the member no longer moderates any community"),
    "hub.Post.author": Decision(
        True, "anonymised", "the post stays, signed 'Former member', so that others' comments keep their thread; "
        "its title, text, link and place are replaced", fields=("title", "body", "link", "event_place")),
    "hub.Post.hidden_by": Decision(True, "unlinked", "the moderation stays, by nobody"),
    "hub.Comment.author": Decision(
        True, "anonymised", "the comment stays in its thread, signed 'Former member', its text replaced",
        fields=("body",)),
    "hub.Comment.hidden_by": Decision(True, "unlinked", "the moderation stays, by nobody"),
    "hub.Report.reporter": Decision(
        True, "anonymised", "an open report still needs a moderator's decision; its reason is replaced",
        fields=("reason",)),
    "hub.Report.resolved_by": Decision(True, "unlinked", "the decision stays, by nobody"),
    "hub.Newsletter.created_by": Decision(True, "unlinked", "the network's newsletter stays, sent by nobody"),
    "hub.ProgrammeSignoff.reviewer": Decision(
        True, "anonymised", "a programme reads as published on two sign-offs, so the sign-off stays (by 'Former "
        "member'); its note is blanked", fields=("note",)),
    "hub.Document.uploaded_by": Decision(True, "unlinked", "a library document is published material under its "
                                                           "licence; it stays, uploaded by nobody"),
    "hub.WikiRevision.author": Decision(
        True, "unlinked", "the wiki is collective writing: later revisions contain this one's text, so the text "
        "stays and the revision is by nobody ('Former member')"),
    "hub.Practice.submitted_by": Decision(
        True, "partly", "accepted practices stay published under their licence, by 'Former member'; practices "
        "not (yet) accepted are deleted with their reviews"),
    "hub.PracticeReview.reviewer": Decision(
        True, "anonymised", "a practice is published on two accepting reviews, so the review and its ratings "
        "stay (by 'Former member'); its comment is blanked", fields=("comment",)),
    # --------------------------------------------------------------------------------------------- co-creation
    "cocreation.Panellist.member": Decision(
        True, "kept", "the panellist stays, tied to the anonymous profile, with the stakeholder group they were "
        "invited as: closed rounds' results by group rest on it"),
    "cocreation.Rating.panellist": Decision(
        True, "partly", "ratings in an open round are deleted (the counts follow by trigger); ratings of closed "
        "rounds stay, value and comment, because the database makes them immutable (migrations 0002: no change "
        "or deletion in a closed round; 0003: no rating is ever updated) and the round's published results rest "
        "on them; they were shown to the panel anonymously and now belong to the anonymous profile",
        via="panellist__member"),
    "cocreation.Interview.interviewee": Decision(
        True, "anonymised", "the interview stays as a record of the fieldwork done (topic, date, status, "
        "stakeholder group); notes, place and country are blanked and the transcript file is deleted from "
        "storage", fields=("notes", "transcript", "place", "country")),
    "cocreation.Excerpt.interview": Decision(True, "deleted", "coded excerpts are the interviewee's words",
                                             via="interview__interviewee"),
    "cocreation.Interview.interviewer": Decision(False, "kept", _KEPT_WORK),
    "cocreation.Excerpt.created_by": Decision(False, "kept", _KEPT_WORK),
    "cocreation.DelphiStudy.created_by": Decision(False, "kept", _KEPT_WORK),
    "cocreation.ParCycle.researchers": Decision(False, "kept", _KEPT_WORK),
    "cocreation.ParNote.author": Decision(False, "kept", _KEPT_WORK),
    # --------------------------------------------------------------------------------------------- research data
    "research.StaffAppointment.user": Decision(
        False, "kept", "the record of who could see which school's student data, and when; the deactivated "
        "account can no longer sign in, so it grants nothing"),
    "research.CohortLoad.loaded_by": Decision(False, "kept", _KEPT_WORK),
    "analysis.AnalysisRun.created_by": Decision(False, "kept", _KEPT_WORK),
    "imports.ImportBatch.created_by": Decision(False, "kept", _KEPT_WORK + " (the import's audit trail)"),
    "imports.ImportBatch.undone_by": Decision(False, "kept", _KEPT_WORK + " (the import's audit trail)"),
    "imports.ImportJob.created_by": Decision(False, "kept", _KEPT_WORK + " (the queued import's audit trail)"),
    # --------------------------------------------------------------------------------------------- screening
    "screening.RiskModel.created_by": Decision(False, "kept", _KEPT_WORK + " (the model's governance record)"),
    "screening.ModelApproval.user": Decision(
        False, "kept", _KEPT_WORK + " (who approved a model for schools is the model's audit trail)"),
    "screening.ScoringRun.created_by": Decision(False, "kept", _KEPT_WORK + " (the scoring run's audit trail)"),
    "screening.SupportCapacity.updated_by": Decision(False, "kept", _KEPT_WORK),
    "screening.FollowUp.created_by": Decision(
        False, "kept", _KEPT_WORK + " (a school's record of support agreed for a student)"),
    # ---------------------------------------------------------------------------------------------- selfeval
    "selfeval.Campaign.opened_by": Decision(False, "kept", _KEPT_WORK + " (who opened a school's campaign)"),
    "selfeval.ActionPlan.created_by": Decision(False, "kept", _KEPT_WORK),
    "selfeval.ProgressUpdate.author": Decision(False, "kept", _KEPT_WORK + " (the action plan's progress record)"),
    # ------------------------------------------------------------------------------------------------- label
    "label.Application.submitted_by": Decision(False, "kept", _KEPT_WORK + " (the label application's record)"),
    "label.Application.decided_by": Decision(False, "kept", _KEPT_WORK + " (who decided on a label is its audit trail)"),
    "label.Evidence.uploaded_by": Decision(False, "kept", _KEPT_WORK),
    "label.Review.reviewer": Decision(
        False, "kept", _KEPT_WORK + " (a label's review must show that two people outside the school assessed it)"),
    # ----------------------------------------------------------------------------------------- interventions
    "interventions.Intervention.created_by": Decision(False, "kept", _KEPT_WORK + " (who registered a co-produced intervention)"),
    "interventions.InterventionVersion.created_by": Decision(False, "kept", _KEPT_WORK + " (the adaptation log's record)"),
    "interventions.CoProducer.member": Decision(
        True, "kept", "the credit on a co-produced intervention stays and reads 'Former member' once the profile is "
        "anonymised; its organisation, sector and role describe the work, not the person"),
    "interventions.Trial.created_by": Decision(False, "kept", _KEPT_WORK + " (the trial's record)"),
    "interventions.Protocol.locked_by": Decision(
        False, "kept", _KEPT_WORK + " (who pre-registered a protocol is part of its fixed record)"),
    "interventions.Deviation.recorded_by": Decision(
        False, "kept", _KEPT_WORK + " (a protocol deviation is a fixed record)"),
    "interventions.Allocation.done_by": Decision(
        False, "kept", _KEPT_WORK + " (who ran an allocation is its audit record)"),
    "interventions.ImpactRun.created_by": Decision(False, "kept", _KEPT_WORK + " (the impact analysis's record)"),
    # ------------------------------------------------------------------------------------------------- recs
    "recs.RecStaff.member": Decision(
        True, "unlinked", "the REC's staff list keeps the professional contact the REC gave (name and role); the "
        "link to the erased account is removed"),
    "recs.SurveyResponse.submitted_by": Decision(
        False, "kept", _KEPT_WORK + " (a partnership's survey answer, given for the school or the REC)"),
    "recs.StateReport.created_by": Decision(False, "kept", _KEPT_WORK + " (the report version's record)"),
    # --------------------------------------------------------------------------------------------- learning
    "learning.CaseStudy.created_by": Decision(False, "kept", _KEPT_WORK + " (published material)"),
    "learning.Course.created_by": Decision(False, "kept", _KEPT_WORK + " (the course version's record)"),
    "learning.Enrolment.user": Decision(
        True, "kept", "enrolments, attendance, knowledge checks, evaluation and certificates stay with the "
        "anonymised account, so that an edition's figures and a certificate's verification still hold; the "
        "certificate no longer shows a name"),
    # --------------------------------------------------------------------------------------------- reports
    "reports.Endorsement.member": Decision(True, "deleted", "an advocate's endorsement of a policy brief is their "
                                                           "public support; it goes with them"),
    "reports.Brief.created_by": Decision(False, "kept", _KEPT_WORK + " (the brief's record)"),
    "indicators.Release.imported_by": Decision(False, "kept", _KEPT_WORK + " (an import of official statistics)"),
}
