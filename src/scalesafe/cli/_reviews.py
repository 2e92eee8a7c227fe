"""``scalesafe reviews ...``, ``stop`` and ``resume``: the human controls."""

from __future__ import annotations

import argparse
import getpass

from ._common import add_common, client_from, print_json, print_table


def register(subparsers: argparse._SubParsersAction) -> None:
    r = subparsers.add_parser("reviews", help="list and decide human reviews")
    sub = r.add_subparsers(dest="reviews_command", metavar="ACTION")
    sub.required = True

    ls = sub.add_parser("list", help="list reviews (pending by default)")
    add_common(ls, json_flag=True)
    ls.add_argument("--state", default="pending", help="pending, approved, rejected, edited, all")
    ls.add_argument("-n", "--limit", type=int, default=50, help="how many (default 50)")
    ls.set_defaults(func=_list)

    show = sub.add_parser("show", help="one review and the event it refers to")
    add_common(show, json_flag=True)
    show.add_argument("id")
    show.set_defaults(func=_show)

    for action in ("approve", "reject"):
        d = sub.add_parser(action, help=f"{action} a pending review")
        add_common(d, json_flag=True)
        d.add_argument("id")
        d.add_argument("-m", "--comment", help="why: kept in the audit log")
        d.add_argument("--reviewer", default=None, help="who decides (default: your user name)")
        d.set_defaults(func=_decide, decision=action)

    stop = subparsers.add_parser("stop", help="engage the stop switch: every monitored call fails")
    add_common(stop)
    stop.add_argument("--reason", required=True, help="why: shown in every stopped call")
    stop.add_argument("--by", default=None, help="who (default: your user name)")
    stop.set_defaults(func=_stop, engage=True)

    resume = subparsers.add_parser("resume", help="release the stop switch")
    add_common(resume)
    resume.add_argument("--by", default=None, help="who (default: your user name)")
    resume.add_argument("--reason", default=None, help="why, for the audit log")
    resume.set_defaults(func=_stop, engage=False)


def _list(args: argparse.Namespace) -> int:
    from ..model import ReviewState

    client = client_from(args)
    state = None if args.state == "all" else ReviewState(args.state)
    reviews = client.backend.list_reviews(state, limit=args.limit)
    if args.json:
        print_json([r.model_dump(mode="json") for r in reviews])
        return 0
    rows = [(r.id, r.created_at.strftime("%Y-%m-%d %H:%M:%S"), r.kind, r.state.value, r.assignee,
             r.reason[:60]) for r in reviews]
    print_table(["id", "created", "kind", "state", "assignee", "reason"], rows,
                title=f"{len(reviews)} review(s) ({client.model_system})")
    return 0


def _show(args: argparse.Namespace) -> int:
    client = client_from(args)
    review = client.backend.get_review(args.id)
    data = review.model_dump(mode="json")
    if review.event_id:
        try:
            data["event"] = client.backend.get_event(review.event_id).model_dump(
                mode="json", exclude_none=True)
        except Exception:
            data["event"] = None  # not yet written, or written elsewhere
    print_json(data)
    return 0


def _decide(args: argparse.Namespace) -> int:
    from ..model import Decision

    client = client_from(args)
    reviewer = args.reviewer or _user()
    review = client.backend.decide(args.id, Decision(args.decision), reviewer, args.comment)
    if args.json:
        print_json(review.model_dump(mode="json"))
    else:
        print(f"review {review.id}: {review.state.value} by {reviewer}")
    return 0


def _stop(args: argparse.Namespace) -> int:
    client = client_from(args)
    state = client.backend.set_stop(args.engage, reason=args.reason, by=args.by or _user())
    if state.stopped:
        print(f"stop switch ENGAGED for {client.model_system}: {state.reason}")
    else:
        print(f"stop switch released for {client.model_system}")
    return 0


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "cli"
