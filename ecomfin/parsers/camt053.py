# Copyright 2026 ecom-finance
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).

"""ISO 20022 bank-to-customer statement (camt.053, also camt.052/054), format code ``camt053``.

Layout (namespace ``urn:iso:std:iso:20022:tech:xsd:camt.053.001.NN``)::

    <Document><BkToCstmrStmt>
      <GrpHdr>...</GrpHdr>
      <Stmt>
        <Id>1234Test/1</Id>
        <Acct><Id><IBAN>NL77ABNA0574908765</IBAN></Id></Acct>
        <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">15568.27</Amt><CdtDbtInd>CRDT</CdtDbtInd>...</Bal>
        <Bal>... CLBD ...</Bal>
        <Ntry>
          <Amt Ccy="EUR">664.05</Amt><CdtDbtInd>DBIT</CdtDbtInd><BookgDt><Dt>2014-01-05</Dt></BookgDt>
          <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
          <NtryDtls><Btch>...</Btch><TxDtls>...</TxDtls><TxDtls>...</TxDtls></NtryDtls>
        </Ntry>
      </Stmt>
    </BkToCstmrStmt></Document>

The file is read with SAX, so it streams: only the statement header and the
entry being read are held in memory, and every transaction knows the physical
line of its ``<Ntry>``. An entry with several ``<TxDtls>`` (a batch) gives one
transaction per ``<TxDtls>``.

Two views are offered:

* :func:`parse` -> :class:`ParsedStatement` of :class:`StatementLine` (Decimal
  amounts), the common shape of all parsers;
* :func:`read_statements` -> ``(currency, account_number, [statement dicts])``,
  the structure the OCA ``account_statement_import_camt`` module produces (its
  test files' expected results are the golden data our tests compare with):
  statements without entries are left out, amounts are floats, and every
  transaction has ``date, amount, payment_ref, ref, narration,
  transaction_type`` and, when known, ``partner_name`` and ``account_number``.

Balance check: opening balance + entries must equal the closing balance. By
default a difference is recorded as a warning (``ParsedStatement.warnings`` /
``statement['balance_warning']`` with ``strict_balance=False``); with
``strict_balance=True`` it raises :class:`InputError`.
"""

import re
import xml.sax
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import TreeBuilder
from xml.sax.expatreader import ExpatLocator, ExpatParser
from xml.sax.handler import ContentHandler, feature_external_ges, feature_external_pes

from ..errors import InputError, Message
from ..statement import ParsedStatement
from ._common import CHUNK_SIZE, UTC, none_if_empty, statement_line, timezone_of

FMT = "camt053"
_NAMESPACE = re.compile(r"^(urn:iso:std:iso:20022:tech:xsd:camt\.05[234]\.|ISO:camt\.05[234]\.)")
_STATEMENT_TAGS = {"Stmt", "Rpt", "Ntfctn"}
_ADDRESS_TAGS = (
    "StrtNm",
    "BldgNb",
    "BldgNm",
    "PstBx",
    "PstCd",
    "TwnNm",
    "TwnLctnNm",
    "DstrctNm",
    "CtrySubDvsn",
    "Ctry",
    "AdrLine",
)
_FEE_CODES = {"CHRG", "COMM", "FEES", "COME", "COMI", "COMT", "TAXE"}

# Narration labels, as in the OCA module's English texts.
PARTNER_NAME = "Partner Name (RltdPties/Nm)"
PARTNER_ACCOUNT = "Partner Account Number (RltdPties/Acct)"
TRANSACTION_DATE = "Transaction Date (BookgDt)"
REFERENCE = "Reference"
COMMUNICATION = "Communication"
TRANSACTION_TYPE = "Transaction Type (BkTxCd)"
ENTRY_INFO = "Additional Entry Information (AddtlNtryInf)"
REVERSAL = "Reversal Indicator (RvslInd)"

#: (label, path below TxDtls, join text or None for "first value only"), in narration order.
TX_NARRATION = (
    ("Unstructured Reference (RmtInf/Ustrd)", "RmtInf/Ustrd", " "),
    ("Structured Reference (RmtInf/Strd/CdtrRefInf/Ref)", "RmtInf/Strd/CdtrRefInf/Ref", " "),
    ("Additional Transaction Information (AddtlTxInf)", "AddtlTxInf", " "),
    ("Return Reason Code (RtrInf/Rsn/Cd)", "RtrInf/Rsn/Cd", None),
    ("Return Reason Code (Proprietary) (RtrInf/Rsn/Prtry)", ("RtrInf/Rsn/Prtry", "RtrInf/Rsn/Cd"), None),
    ("Return Reason Additional Information (RtrInf/AddtlInf)", "RtrInf/AddtlInf", " "),
    ("Msg Id (Refs/MsgId)", "Refs/MsgId", None),
    ("Account Servicer Reference (Refs/AcctSvcrRef)", "Refs/AcctSvcrRef", None),
    ("End To End Id (Refs/EndToEndId)", "Refs/EndToEndId", None),
    ("Instructed Id (Refs/InstrId)", "Refs/InstrId", None),
    ("Transaction Identification (Refs/TxId)", "Refs/TxId", None),
    ("Cheque Number (Refs/ChqNb)", "Refs/ChqNb", None),
)


def sniff(head_text):
    text = head_text.lstrip("\ufeff").lstrip()
    return text.startswith("<") and bool(re.search(r"camt\.05[234]", text[:2048]))


# --------------------------------------------------------------------------- SAX reading


class _Handler(ContentHandler):
    """Builds element trees per entry and queues (kind, payload, line) events."""

    def __init__(self, filename):
        super().__init__()
        self.filename = filename
        self.builder = TreeBuilder()
        self.stack = []
        self.events = []
        self.locator = None
        self.root_checked = False
        self.entry_line = None
        self.statement = None
        self.statement_line = None

    def setDocumentLocator(self, locator):
        self.locator = locator

    def _line(self):
        return self.locator.getLineNumber() if self.locator is not None else None

    def startElement(self, name, attrs):
        local = name.rsplit(":", 1)[-1]
        if not self.root_checked:
            self.root_checked = True
            namespace = next((v for k, v in attrs.items() if k == "xmlns" or k.startswith("xmlns:")), "")
            if local != "Document" or not _NAMESPACE.match(namespace):
                raise InputError(
                    "not_camt",
                    filename=self.filename,
                    line=self._line(),
                    value=f"{local} {namespace}".strip(),
                )
        plain_attrs = {k.rsplit(":", 1)[-1]: v for k, v in attrs.items() if not k.startswith("xmlns")}
        element = self.builder.start(local, plain_attrs)
        if local in _STATEMENT_TAGS:
            self.statement_line = self._line()
        parent_tag = self.stack[-1].tag if self.stack else None
        if local == "Ntry" and parent_tag in _STATEMENT_TAGS:
            self.entry_line = self._line()
            if self.statement is None:
                self._statement_header(self.stack[-1])
        self.stack.append(element)

    def characters(self, content):
        self.builder.data(content)

    def endElement(self, name):
        local = name.rsplit(":", 1)[-1]
        element = self.builder.end(local)
        self.stack.pop()
        parent = self.stack[-1] if self.stack else None
        if local == "Ntry" and parent is not None and parent.tag in _STATEMENT_TAGS:
            self.events.append(("entry", element, self.entry_line))
            parent.remove(element)
        elif (
            local in _STATEMENT_TAGS
            and parent is not None
            and parent.tag in ("BkToCstmrStmt", "BkToCstmrAcctRpt", "BkToCstmrDbtCdtNtfctn")
        ):
            if self.statement is None:
                self._statement_header(element)
            self.events.append(("end", self.statement, self._line()))
            self.statement = None
            parent.remove(element)

    def _statement_header(self, element):
        self.statement = _statement_header(element, self.filename, self.statement_line)
        self.events.append(("start", self.statement, self._line()))


def _events(binary, filename):
    """Yield ('start', header, line), ('entry', Ntry element, line), ('end', header, line)."""
    handler = _Handler(filename)
    parser = xml.sax.make_parser()
    parser.setFeature(feature_external_ges, False)
    parser.setFeature(feature_external_pes, False)
    parser.setContentHandler(handler)
    if isinstance(parser, ExpatParser):  # feed() never hands the handler a locator itself
        handler.setDocumentLocator(ExpatLocator(parser))
    seen_data = False
    try:
        while True:
            chunk = binary.read(CHUNK_SIZE)
            if not chunk:
                break
            seen_data = seen_data or bool(chunk.strip())
            parser.feed(chunk)
            yield from handler.events
            handler.events.clear()
        if not seen_data:
            raise InputError("file_empty", filename=filename)
        parser.close()
    except xml.sax.SAXParseException as exc:
        message = exc.getMessage()
        truncated = "no element found" in message or "unclosed token" in message
        raise InputError(
            "invalid_xml_truncated" if truncated else "invalid_xml",
            {"detail": message},
            filename=filename,
            line=exc.getLineNumber(),
            column=Message("xml_character", {"number": exc.getColumnNumber() + 1}),
        ) from exc
    yield from handler.events
    handler.events.clear()


# --------------------------------------------------------------------------- element helpers


def _find(node, path):
    if node is None:
        return None
    return node.find(path)


def _text(node, path):
    found = _find(node, path)
    return found.text if found is not None and found.text is not None else None


def _first_text(node, paths):
    for path in paths if isinstance(paths, tuple) else (paths,):
        found = _find(node, path)
        if found is not None:
            return found.text or ""
    return None


def _all_text(node, path, join):
    found = node.findall(path)
    if not found:
        return None
    return join.join(x.text or "" for x in found)


def _decimal(text, filename, line, column):
    try:
        return Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise InputError(
            "bad_amount", {"value": text}, filename=filename, line=line, column=column, value=text
        ) from None


def _signed_amount(node, fallback_sign_node, filename, line):
    """Amount of a node holding Amt (or AmtDtls/TxAmt/Amt) and CdtDbtInd; 0 when absent."""
    if node is None:
        return Decimal(0)
    indicator = _text(node, "CdtDbtInd")
    if indicator is None and fallback_sign_node is not None:
        indicator = _text(fallback_sign_node, "CdtDbtInd")
    amount_node = node.find("Amt")
    if amount_node is None:
        amount_node = node.find("AmtDtls/TxAmt/Amt")
    if amount_node is None:
        return Decimal(0)
    value = _decimal(amount_node.text, filename, line, "Amt")
    return -value if indicator == "DBIT" else value


def _statement_header(node, filename, line):
    header = {
        "name": _text(node, "Id"),
        "account_number": _first_text(node, ("Acct/Id/IBAN", "Acct/Id/Othr/Id")),
        "currency": _text(node, "Acct/Ccy"),
        "line": line,
    }
    if header["currency"] is None:
        for path in ("Bal/Amt", "Ntry/Amt"):
            found = node.find(path)
            if found is not None and found.get("Ccy"):
                header["currency"] = found.get("Ccy")
                break
    start_node = end_node = None
    for code in ("OPBD", "PRCD", "CLBD", "ITBD"):
        balances = [bal for bal in node.findall("Bal") if _text(bal, "Tp/CdOrPrtry/Cd") == code]
        if not balances:
            continue
        if code in ("OPBD", "PRCD"):
            start_node = balances[0]
        elif code == "CLBD":
            end_node = balances[0]
        else:
            start_node = start_node if start_node is not None else balances[0]
            end_node = end_node if end_node is not None else balances[-1]
    header["balance_start"] = _signed_amount(start_node, None, filename, line)
    header["balance_end_real"] = _signed_amount(end_node, None, filename, line)
    header["has_balances"] = start_node is not None and end_node is not None
    period = node.find("FrToDt")
    header["period_start"] = _iso_date(_text(period, "FrDtTm")) if period is not None else None
    header["period_end"] = _iso_date(_text(period, "ToDtTm")) if period is not None else None
    return header


def _iso_date(text):
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


# --------------------------------------------------------------------------- entries


def _entry_transactions(entry, filename, line):
    """The transaction dicts (OCA shape, Decimal amounts) of one <Ntry>."""
    base = {"payment_ref": "/", "amount": Decimal(0), "narration": {}}
    booking = _text(entry, "BookgDt/Dt") or (_text(entry, "BookgDt/DtTm") or "")[:10] or None
    if booking is not None:
        base["date"] = booking
    base["amount"] = _signed_amount(entry, None, filename, line)
    ref = _first_text(
        entry,
        ("NtryDtls/RmtInf/Strd/CdtrRefInf/Ref", "NtryDtls/Btch/PmtInfId", "NtryDtls/TxDtls/Refs/AcctSvcrRef"),
    )
    if ref is not None:
        base["ref"] = ref
    info = _text(entry, "AddtlNtryInf")
    if info is not None:
        base["narration"][ENTRY_INFO] = info
    reversal = _text(entry, "RvslInd")
    if reversal is not None:
        base["narration"][REVERSAL] = reversal
    codes = [
        _text(entry, path) for path in ("BkTxCd/Domn/Cd", "BkTxCd/Domn/Fmly/Cd", "BkTxCd/Domn/Fmly/SubFmlyCd")
    ]
    base["transaction_type"] = "-".join(code for code in codes if code is not None)
    base["entry_ref"] = _text(entry, "AcctSvcrRef")
    base["currency"] = entry.find("Amt").get("Ccy") if entry.find("Amt") is not None else None

    details = entry.findall("NtryDtls/TxDtls")
    if not details:
        return [_finish(dict(base, narration=dict(base["narration"]), txn_id=base["entry_ref"]))]
    result = []
    for index, detail in enumerate(details, start=1):
        # The bank's entry reference identifies the entry; a batch's parts get a suffix.
        txn_id = (
            base["entry_ref"] if len(details) == 1 else (base["entry_ref"] and f"{base['entry_ref']}/{index}")
        )
        transaction = dict(base, narration=dict(base["narration"]), txn_id=txn_id)
        _apply_details(detail, entry, transaction, filename, line)
        result.append(_finish(transaction))
    return result


def _apply_details(node, entry, transaction, filename, line):
    message = _all_text(node, "RmtInf/Ustrd", "\n")
    return_info = _all_text(node, "RtrInf/AddtlInf", "\n")
    if message is not None or return_info is not None:
        transaction["payment_ref"] = "\n".join(x for x in (message, return_info) if x is not None)
    elif (instruction := _text(node, "Refs/InstrId")) is not None:
        transaction["payment_ref"] = instruction
    for label, path, join in TX_NARRATION:
        value = _all_text(node, path, join) if join is not None else _first_text(node, path)
        if value is not None:
            transaction["narration"][label] = value
    additional = _all_text(node, "AddtlTxInf", "\n")
    if additional is not None:
        transaction["payment_ref"] = additional
    ref = _first_text(node, ("RmtInf/Strd/CdtrRefInf/Ref", "Refs/EndToEndId"))
    if ref is not None:
        transaction["ref"] = ref
    transaction["tx_ref"] = _text(node, "Refs/AcctSvcrRef")
    amount = _signed_amount(node, entry, filename, line)
    if amount:
        transaction["amount"] = amount
        amount_node = node.find("Amt") if node.find("Amt") is not None else node.find("AmtDtls/TxAmt/Amt")
        if amount_node is not None and amount_node.get("Ccy"):
            transaction["currency"] = amount_node.get("Ccy")
    party = "Dbtr" if _text(entry, "CdtDbtInd") == "CRDT" else "Cdtr"
    party_node = node.find(f"RltdPties/{party}")
    if party_node is not None:
        name = _first_text(node, (f"RltdPties/{party}/Nm", f"RltdPties/{party}/Pty/Nm"))
        if name is None:
            name = _text(party_node, "PstlAdr/AdrLine")
        if name is not None:
            transaction["partner_name"] = name
        address = party_node.find("PstlAdr")
        if address is not None:
            parts = [child.text or "" for child in address if child.tag in _ADDRESS_TAGS]
            if parts:
                transaction["narration"]["Postal Address (PstlAdr)"] = " | ".join(parts)
    account = node.find(f"RltdPties/{party}Acct/Id")
    if account is not None:
        number = _first_text(account, ("IBAN", "Othr/Id"))
        if number is not None:
            transaction["account_number"] = number


def _finish(transaction):
    if transaction["payment_ref"] == "/":
        transaction["payment_ref"] = transaction["narration"].get(ENTRY_INFO, "/")
    fixed = {
        PARTNER_NAME: transaction.get("partner_name", ""),
        PARTNER_ACCOUNT: transaction.get("account_number", ""),
        TRANSACTION_DATE: transaction.get("date", ""),
        REFERENCE: transaction.get("ref", ""),
        COMMUNICATION: "",
        TRANSACTION_TYPE: transaction.get("transaction_type", ""),
    }
    notes = {**fixed, **transaction["narration"]}
    transaction["narration"] = "\n".join(f"{key}: {value}" for key, value in notes.items())
    return transaction


# --------------------------------------------------------------------------- public API

_PRIVATE_KEYS = ("entry_ref", "tx_ref", "txn_id", "currency", "line")


def iter_statements(binary, filename, *, strict_balance=False):
    """Yield one dict per statement: header fields, ``transactions`` (Decimal amounts), balance findings.

    Each transaction keeps the physical ``line`` of its entry. A statement whose
    entries do not add up to its closing balance gets ``balance_ok=False`` and a
    ``balance_warning`` text (or raises with ``strict_balance=True``).
    """
    current = None
    for kind, payload, line in _events(binary, filename):
        if kind == "start":
            current = dict(payload, transactions=[], entries_total=Decimal(0))
        elif kind == "entry":
            transactions = _entry_transactions(payload, filename, line)
            current["entries_total"] += _signed_amount(payload, None, filename, line)
            for transaction in transactions:
                transaction["line"] = line
            current["transactions"].extend(transactions)
        else:
            if current is None:
                current = dict(payload, transactions=[], entries_total=Decimal(0))
            _balance_check(current, filename, strict_balance)
            yield current
            current = None


def _balance_check(statement, filename, strict):
    difference = statement["balance_start"] + statement["entries_total"] - statement["balance_end_real"]
    statement["balance_difference"] = difference
    statement["balance_ok"] = difference == 0 or not statement["has_balances"]
    statement["balance_warning"] = None
    if statement["balance_ok"]:
        return
    message = Message(
        "camt_balance",
        {
            "name": statement["name"],
            "start": statement["balance_start"],
            "entries": statement["entries_total"],
            "sum": statement["balance_start"] + statement["entries_total"],
            "end": statement["balance_end_real"],
            "off": -difference,
        },
    )
    statement["balance_warning"] = message
    if strict:
        raise InputError(
            message.code,
            message.params,
            filename=filename,
            line=statement["line"],
            column="Bal/CLBD",
            value=str(statement["balance_end_real"]),
        )


def read_statements(source, filename="camt053.xml"):
    """Return ``(currency, account_number, [statement dicts])`` exactly as the golden files hold it.

    Statements without entries are left out; amounts and balances are floats;
    a statement's ``date`` is its latest transaction date.
    """
    from ._common import open_binary

    binary = open_binary(source)
    currency = account_number = None
    statements = []
    for statement in iter_statements(binary, filename):
        if not statement["transactions"]:
            continue
        if statement["currency"] is not None:
            currency = statement["currency"]
        if statement["account_number"] is not None:
            account_number = statement["account_number"]
        transactions = []
        for transaction in statement["transactions"]:
            item = {key: value for key, value in transaction.items() if key not in _PRIVATE_KEYS}
            item["amount"] = float(item["amount"])
            transactions.append(item)
        statements.append(
            {
                "balance_start": float(statement["balance_start"]),
                "balance_end_real": float(statement["balance_end_real"]),
                "name": statement["name"],
                "transactions": transactions,
                "date": max(t.get("date") or "" for t in transactions) or None,
            }
        )
    return currency, account_number, statements


def parse(binary, filename, *, strict_balance=False, timezone="UTC"):
    """Read a CAMT file as a :class:`ParsedStatement` of :class:`StatementLine`.

    The statement's facts (account, currency, period) come from the first
    ``<Stmt>``; the balances of every statement are in ``declared_totals``
    (``balance_start``/``balance_end`` of the first, and per statement in
    ``meta['statements']`` once read).
    """
    tz = timezone_of(timezone)
    events = iter_statements(binary, filename, strict_balance=strict_balance)
    statement = ParsedStatement(FMT, filename)
    statement.meta["statements"] = []
    return statement.attach(_lines(events, statement, filename, tz))


def _lines(statements, result, filename, tz):
    for header in statements:
        if result.account is None:
            result.account = header["account_number"]
            result.currency = header["currency"]
            result.period_start = header["period_start"]
            result.period_end = header["period_end"]
            result.declared_totals = {
                "balance_start": header["balance_start"],
                "balance_end": header["balance_end_real"],
            }
        summary = {
            key: header[key]
            for key in (
                "name",
                "account_number",
                "currency",
                "balance_start",
                "balance_end_real",
                "balance_ok",
                "balance_difference",
            )
        }
        result.meta["statements"].append(summary)
        if header["balance_warning"]:
            result.warnings.append(header["balance_warning"])
        for transaction in header["transactions"]:
            yield _statement_line(transaction, header, filename, tz)


def _statement_line(transaction, header, filename, tz):
    line = transaction["line"]
    booking = transaction.get("date")
    if booking is None:
        raise InputError("no_booking_date", filename=filename, line=line, column="BookgDt")
    try:
        occurred = datetime.combine(date.fromisoformat(booking), time(), tzinfo=tz or UTC)
    except ValueError:
        raise InputError(
            "bad_date", {"value": booking}, filename=filename, line=line, column="BookgDt", value=booking
        ) from None
    codes = set(transaction["transaction_type"].split("-"))
    amount = transaction["amount"]
    raw = {key: str(value) for key, value in transaction.items() if key != "line"}
    return statement_line(
        filename,
        line,
        provider_txn_id=transaction.get("txn_id"),
        order_ref=none_if_empty(transaction.get("ref")),
        merchant_order_ref=None,
        counterparty=transaction.get("partner_name"),
        line_type="fee" if codes & _FEE_CODES else "adjustment",
        gross=amount,
        fee=Decimal(0),
        net=amount,
        currency=transaction.get("currency") or header["currency"],
        occurred_at=occurred,
        payout_ref=None,
        memo=transaction["payment_ref"],
        raw=raw,
    )
