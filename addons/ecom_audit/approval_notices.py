# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""Who hears of an approval request: to-dos for the people who may decide its next level, a
message to its requester. Functions over ``ecom.approval.request`` records."""


def deciders(request):
    """The users who may decide the next level: in the level's group and the request's
    company, neither the requester nor someone who already decided."""
    request.ensure_one()
    group = request.env.ref(request._level_group(request.levels_approved + 1))
    beneficiaries = request._beneficiaries()
    # who holds a group is read as the system: the requester may be an operator
    return group.sudo().users.filtered(
        lambda user: user.active
        and not user.share
        and request.company_id in user.company_ids
        and user != request.requester_id
        and user not in request.line_ids.user_id
        and user not in beneficiaries
    )


def notify_deciders(requests):
    """One to-do for each person who may decide the next level (their Activities menu)."""
    env = requests.env
    todo = env.ref("mail.mail_activity_data_todo")
    for request in requests.filtered(lambda request: request.state == "pending"):
        for user in deciders(request):
            # scheduled as the system: a requester without rights on the request (an
            # operator asking for a count) still tells the approvers
            request.sudo().activity_schedule(
                activity_type_id=todo.id,
                user_id=user.id,
                summary=env._("Approve or reject: %s", request.description or request.name),
                note=request.reason or False,
            )


def close_todos(requests):
    """The approvers' to-dos end with the level they were for (decided, rejected or void)."""
    # whoever decided closes everyone's to-dos of the request
    requests.sudo().activity_ids.unlink()


def notify_requester(requests, body):
    for request in requests:
        request.sudo().message_post(
            body=body,
            partner_ids=request.requester_id.partner_id.ids,
            message_type="notification",
            subtype_xmlid="mail.mt_note",
        )
