"""What customers and contacts are found by (their `search_text`, see guanxi.common.search).

Pure functions of the row's own fields, shared by the services, the bulk paths (demo loader,
benchmarks) and the data migration, so every path writes the same text.
"""

from __future__ import annotations

from typing import Any

from guanxi.common.search import build_search_text, phone_parts


def customer_search_text(customer: Any) -> str:
    """Name, short name, code, credit code, phone and the name's pinyin and initials. Needs
    `name_pinyin`/`name_initials` derived already (the services and bulk paths do that)."""
    return build_search_text(
        parts=[
            customer.name,
            customer.short_name,
            customer.code,
            customer.credit_code,
            *phone_parts(customer.phone),
            customer.name_pinyin,
            customer.name_initials,
        ],
        names=[customer.name, customer.short_name],
        initials=[customer.name_initials],
    )


def contact_search_text(contact: Any, customer_name: str) -> str:
    """The contact's name, mobile, phone, e-mail, WeChat, pinyin and initials, and the name of
    its customer (the contact list is searched by company too)."""
    return build_search_text(
        parts=[
            contact.name,
            *phone_parts(contact.mobile),
            *phone_parts(contact.phone),
            contact.email,
            contact.wechat,
            contact.name_pinyin,
            contact.name_initials,
            customer_name,
        ],
        names=[contact.name, customer_name],
        initials=[contact.name_initials],
    )
