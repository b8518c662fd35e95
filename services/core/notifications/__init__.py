"""Mail to members beyond their account mail: deadline reminders, the weekly digest,
certificate outcomes and auditor access, with each member's preferences and one-click
unsubscribe.

How a mail goes out (``outbox``): a job decides what to send and, in one transaction, appends a
``*Queued`` event (the decision, made once: its mail id derives from what the mail is about)
and stores the rendered mail in ``mail_outbox``. The relay then hands the event to the
``deliver_mail`` actor, which sends it while holding the outbox row, and marks it sent with a
``MailSent`` event in the same transaction. A failed send rolls back and is retried; a mail
never sent stays visible in the outbox (``sent_at`` empty) and its message in the dead letters.
"""
