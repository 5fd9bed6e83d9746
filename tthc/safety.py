"""Patterns of instructions aimed at the assistant (prompt injection), shared by the question guard
and the ingest, which refuses records that carry such text. Matched on folded, lower-cased text.

Every branch needs something that points at the assistant or its rules (an imperative, "your/của bạn",
"previous/trước đó", "system prompt", a role to play, a claim it must repeat). Administrative words on
their own (hướng dẫn, đóng vai trò, hệ thống, quản trị, lệnh cấm, quên mật khẩu) never match, because
citizens ask about them and records are written with them.
"""

from __future__ import annotations

import re

from tthc.text import fold_diacritics

# What the assistant has been told: its instructions, rules, settings and filters ("lệnh" but not "lệnh cấm").
_RULES = (
    r"(?:huong dan|chi dan|chi thi|quy tac|cau lenh|lenh(?! (?:cam|tam|trieu|phong|bat|khan|thi hanh|cuong che|giam|tha|dieu))"
    r"|rang buoc|nguyen tac|gioi han|thiet lap|cai dat|bo loc|kiem duyet)"
)
# The end of a phrase: punctuation, a closing quote or bracket (records are checked as JSON), or the line end.
_END = r"(?= *(?:[,.;:!?\"')\]]|$))"
# "bạn"/"mày" at the end of a phrase: folded "ban"/"may" is also "bản", "bán", "máy", "mấy" (bản sao, máy tính).
_YOU = r"(?:ban|may)(?:" + _END + r"|(?= (?:va|roi|di|nhe|nua|ma|de|thi|khi|dang|da|la|o)\b))"
# "hệ thống" as the assistant's system, not an administrative one (hệ thống dịch vụ công, một cửa, ...).
_SYSTEM = r"he thong(?! (?:dich vu|mot cua|thong tin|quan ly|dinh danh|co so|bao|ho tich|dang ky|tiep nhan|cong|du lieu|dan cu))"
# Rules tied to the assistant: the ones it was given, its own, the system's, the hidden or original ones.
_GIVEN = (
    r"(?:" + _SYSTEM + r"|ban dau|goc|an(?:" + _END + r"|(?= (?:cua|va|roi)\b))|(?:cua|danh cho|cho) (?:" + _YOU + r"|tro ly|he thong)"
    r"|(?:ma )?(?:ban|may|em) (?:da |dang )?(?:duoc|nhan|dung)|da (?:duoc )?(?:nhan|giao|cai|dat ra)|duoc (?:giao|cai|dat ra))"
)
# ... or the ones that came before (in a question, "ignore the previous instructions").
_THEIRS = (
    r"(?:" + _GIVEN + r"|truoc (?:do|day|nay)|an toan(?:" + _END + r"|(?= (?:cua|va|roi)\b))"
    r"|(?:truoc|tren)(?:" + _END + r"|(?= (?:va|roi|day|do)\b)))"
)
_DISOBEY = (
    r"(?:bo qua|phot lo|lo di|quen(?: di)?|vo hieu(?: hoa)?|xoa bo|gat bo|pha bo|vuot qua"
    r"|(?:khong can|khong phai|dung|thoi) (?:tuan theo|tuan thu|lam theo))"
)
# Where a sentence or a field starts (line start, after a full stop, a quote, a bracket or a list marker),
# and where a clause starts (also after a comma): a bare verb there is an order, "Nói rằng ...".
_START = r"(?:^|(?<=[.!?:\"'(\[*\-])|(?<=[.!?:\"'(\[*\-] ))"
_CLAUSE = r"(?:^|(?<=[.,;:!?\"'(\[*\-])|(?<=[.,;:!?\"'(\[*\-] ))"
# An imperative ("hãy", "cứ", "nhớ", "vui lòng") opening a clause or following "bạn": "hay" alone is also "or".
_ORDER = r"(?:(?:" + _CLAUSE + r"|(?:ban|may) )(?:hay|cu|nho|vui long|chi can)(?: luon)? )"
_SAY = r"(?:tra loi|noi|bao|thong bao|xac nhan|khang dinh)"
_ASSISTANT = r"(?:tro ly|chatbot|mo hinh)(?: ao| ai)?\b"
_MACHINE_ROLE = r"(?:mot )?(?:tro ly|chatbot|mo hinh|he thong|nguoi khac)\b"
_HUMAN_ROLE = r"(?:mot )?(?:can bo|chu tich|quan tri|admin|luat su|nhan vien|cong an|chuyen gia)\b"
_FROM_NOW = r"(?:tu (?:bay )?gio|ke tu (?:bay )?gio|tu nay|bay gio|gio day)(?: tro di| ve sau)?,?"
_BECOME = r"(?:se |phai )?(?:la|dong vai|tro thanh|hoat dong nhu|hanh xu nhu)"
_EN_PRIOR = r"(?: (?:previous|prior|above|earlier|preceding|original|initial|system|existing|safety|current))"
_EN_RULES = (
    r" (?:instructions?|rules|prompts?|guidelines|directions|directives|constraints|restrictions|guardrails|huong dan|chi dan|quy tac)\b"
)

# Each branch starts at a word start (enforced once, in INJECTION).
_BRANCHES = (
    # Ignore / forget / disable the rules it was given.
    _DISOBEY + r" (?:het |tat ca |toan bo )?(?:cac |nhung |moi )?" + _RULES + r" " + _THEIRS,
    _DISOBEY + r" (?:het|tat ca|toan bo|moi)(?: cac| nhung)? " + _RULES,
    _DISOBEY + r" (?:cac |nhung )?" + _RULES + r"(?:,| va| roi) (?:hay )?(?:" + _SAY + r"|viet|in ra)\b",
    _DISOBEY + r" (?:het |tat ca )?(?:nhung gi|moi thu|moi dieu)(?: ma)? (?:ban|may|em) (?:da )?(?:duoc|nhan|biet)",
    r"(?:khong can|khong phai|dung|thoi) (?:tuan theo|tuan thu|lam theo) (?:cac |nhung |moi )?" + _RULES + r"(?: nao)? (?:gi )?nua",
    r"(?:ignore|disregard|forget|override)(?: all| any| every)(?: of)?(?: the| your| my)?" + _EN_PRIOR + "*" + _EN_RULES,
    r"(?:ignore|disregard|forget|override)(?: the| your| my| these| those)?" + _EN_PRIOR + "+" + _EN_RULES,
    r"(?:ignore|disregard|forget|override) (?:your|these|those|toan bo|moi|tat ca|het)" + _EN_PRIOR + "*" + _EN_RULES,
    r"(?:ignore|disregard|forget) the" + _EN_RULES + r" (?:above|before|so far|you were given)\b",
    r"(?:ignore|disregard|forget) (?:everything|all|(?:everything |all )?the above)\b"
    r"(?: (?:you|that|above|before|previous|i said)|[.,;:!]| and)",
    r"(?:disable|bypass|turn off|override) (?:all |your |the )?"
    r"(?:safety|(?:safety |content )?(?:rules|filters|checks|restrictions|guardrails|instructions))\b",
    # Role-play: be someone or something else from now on.
    r"(?:" + _ORDER + "|" + _START + r"(?:thu )?|(?:ban|may) (?:se |phai )?)dong vai\b(?! tro)",
    r"dong vai (?:la |thanh )?(?:mot )?(?:" + _ASSISTANT + r"|nguoi khac)",
    _FROM_NOW + r" (?:ban|may|em) " + _BECOME + r" " + _MACHINE_ROLE,
    _FROM_NOW + r" (?:ban|may) " + _BECOME + r" " + _HUMAN_ROLE,
    r"(?:ban|may) (?:bay gio|gio|tu gio|tu nay) (?:la|se la) (?:" + _MACHINE_ROLE + "|" + _HUMAN_ROLE + ")",
    r"(?:ban|may) (?:khong con|het) la (?:mot )?" + _ASSISTANT,
    r"(?:ban|may) (?:bay gio |gio )?la (?:mot )?" + _ASSISTANT + r" (?:khac|moi|tu do|khong (?:co )?(?:gioi han|rang buoc|kiem duyet))",
    r"(?:" + _ORDER + "|" + _START + r")gia vo\b",
    r"gia vo (?:rang )?(?:ban|may) (?:la|lam|dang)\b|hay tuong tuong (?:ban|may) (?:la|dang la)\b",
    r"(?:you are|you're) now (?:an? |the |my |in )?(?:dan\b|unrestricted|different|new|free|jailbroken|admin|developer|assistant|ai\b)"
    r"|from now on,? (?:you are|you're|you will be) (?:an? |my |the |no longer )?"
    r"(?:dan\b|unrestricted|different|free|jailbroken|evil|uncensored)"
    r"|from now on,? you (?:will )?(?:answer|respond|reply|say|ignore|act)\b",
    r"pretend (?:to be|you|that you)\b|unrestricted (?:ai|assistant|mode)\b"
    r"|act as (?:an? |the )?(?:admin|administrator|system|developer|root|unrestricted|different|dan\b)",
    # Claims of authority over the assistant.
    r"\[(?:system|he thong|admin|developer|quan tri)\]|" + _CLAUSE + r"(?:system|admin|developer) ?:",
    r"che do (?:quan tri|admin|developer|nha phat trien|go loi|debug)(?: vien)? (?:da )?(?:duoc )?(?:bat|kich hoat|mo)\b"
    r"|(?:bat|kich hoat|chuyen sang|vao) che do (?:developer|nha phat trien|go loi|debug|khong gioi han)\b"
    r"|(?:admin|developer|debug|god|dan) mode\b|jailbreak|do anything now",
    r"toi la (?:admin|quan tri vien|nha phat trien|developer|lap trinh vien) (?:cua )?"
    r"(?:" + _YOU + "|" + _ASSISTANT + r"|he thong(?: nay| day)?(?:" + _END + r"|(?= (?:day|nay|nhe)\b)))"
    r"|toi la nguoi (?:tao ra|lap trinh|cai dat) (?:" + _YOU + "|" + _ASSISTANT + r")"
    r"|i(?: am|'m) (?:the |your )(?:admin|developer|creator)\b",
    # Orders addressed to the assistant inside a text.
    r"(?:chi dan|chi thi|lenh|luu y|ghi chu|thong diep) (?:moi )?(?:danh cho|cho|gui) (?:cac )?" + _ASSISTANT,
    r"new (?:system (?:instructions?|rules?|prompt)|(?:instructions?|rules?|prompt) ?:)|system (?:message|instructions?) ?:"
    r"|(?:note|message|instructions?) (?:to|for) the (?:assistant|ai|model|chatbot)\b",
    # Reveal the prompt, configuration or secrets.
    r"system prompt|prompt he thong|loi nhac he thong|what model are you|(?<=\.)env\b|api[_ ]?key|bien moi truong|environment variables",
    r"(?:admin|quan tri|truy cap|access|bi mat|secret) token|token (?:quan tri|admin|truy cap|bi mat)\b",
    r"tiet lo (?:cau hinh|cai dat|prompt|ma nguon|token|huong dan|chi dan|quy tac)",
    r"cau hinh (?:may chu|server|noi bo|bi mat|cua ban|cua he thong)\b|toan bo cau hinh\b",
    r"(?:(?:cho|dua|gui)(?: cho)? (?:toi|minh|tao)|tiet lo|in ra) (?:cai )?mat khau"
    r" (?:quan tri|admin|he thong|may chu|cua (?:ban|he thong))",
    r"(?:nhac lai|lap lai|in ra|xuat ra|xuat|doc lai|chep lai|liet ke|cho (?:toi |minh )?xem|hien thi|viet ra|trich)\b[^?!\n]{0,40}"
    r"\b(?:" + _RULES + r"|loi nhac|prompt) " + _GIVEN,
    r"(?:in ra|xuat ra|xuat|cho (?:toi |minh )?xem|tiet lo|liet ke)\b[^?!\n]{0,20}"
    r"\b(?:tai lieu noi bo|co so du lieu (?:cua he thong|noi bo))",
    r"duong dan (?:den|toi) (?:file |tep )?(?:co so du lieu|thu muc|may chu) (?:cua (?:he thong|ban)|noi bo)",
    r"reveal (?:your|the) (?:system )?(?:prompt|instructions|config|configuration|rules)\b",
    r"(?:your|the) (?:hidden|system|original|initial|secret|internal) (?:instructions|prompt|rules|guidelines)\b"
    r"|your (?:previous|prior) (?:instructions|prompt|rules|guidelines)\b",
    r"(?:print|output|show|repeat|dump|list|tell me|give me|what are) (?:me )?(?:all )?(?:the )?(?:contents of )?your"
    r" (?:instructions|prompt|rules|guidelines)\b",
    # Dictate what the answer must say.
    r"(?:" + _ORDER + "|" + _START + r"(?:luon )?)" + _SAY + r"(?: voi [a-z ]{1,20}?)? rang\b",
    _CLAUSE + r"(?:xac nhan|khang dinh) voi (?:toi|minh|moi nguoi|nguoi dung|nguoi hoi) rang\b",
    r"(?:" + _ORDER + "|" + _START + r")" + _SAY + r"\b[^.?!\n]{0,50}\b(?:bang|la|=|:) ?0(?: dong| vnd| d)?\b(?![.,]?\d)",
    r"(?:tra loi|noi|bao) (?:la|rang) ['\"]?mien phi\b|(?:tra loi|noi) ['\"](?:mien phi|0)",
    r"(?:" + _CLAUSE + r"|and )always (?:say|answer|reply|respond)\b"
    r"|(?:tell (?:the )?(?:users|them|everyone|people|citizens)|(?:" + _CLAUSE + r"|and )say)(?: that)? (?:the )?(?:fee|cost|charge)s?"
    r" (?:is|are) (?:0|zero|free|waived|nothing)\b",
    # Ask it to forge documents.
    r"(?:soan|tao|viet|lam|in) (?:giup|cho|ho) (?:toi|minh|em) (?:mot |1 )?"
    r"(?:giay|van ban|quyet dinh|con dau|chu ky|ban sao)\b[^.?!\n]{0,50}"
    r"\b(?:co (?:san )?(?:dong dau|con dau|chu ky)(?! (?:khong|ko|chua|hay|hoac|thi)\b)|da dong dau|gia mao|khong can duyet)",
    r"(?:lam gia|gia mao) (?:giup|cho|ho) (?:toi|minh|em|tao)\b|(?:giup|cho|ho) (?:toi|minh|em|tao) (?:lam gia|gia mao)\b"
    r"|(?:cach|hay|lam sao de|huong dan) (?:lam gia|gia mao) (?:giay|con dau|chu ky|ho so|van ban)",
    r"(?:write|draft|create|make|forge|produce)(?: me)? (?:a |an )?(?:fake|forged|counterfeit|false)\b",
)
# Checking the word start once, before the branches, keeps the scan of long records fast: Python tries
# every branch at every position, and most positions are inside a word.
INJECTION = re.compile(r"(?<![a-z0-9])(?:" + "|".join(f"(?:{branch})" for branch in _BRANCHES) + ")", re.MULTILINE)
_JSON_BREAKS = re.compile(r"\\[nrt]")


def contains_instructions(text: str) -> bool:
    """True when a text tells the assistant what to do or say (checked on folded, lower-cased text).

    The ingest passes records as JSON, where a line break is the two characters '\\n': they are turned
    back into breaks so that the word after them still starts a line.
    """
    return INJECTION.search(_JSON_BREAKS.sub("\n", fold_diacritics(text.casefold()))) is not None
