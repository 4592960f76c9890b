"""A smaller on-disk form for Whoosh postings: compact positions, rare terms inlined.

Whoosh's ``Positions`` format stores each posting's positions as a 4-byte count plus a pickled
list (14 bytes for a word seen once), and its codec never inlines a rare term's postings into
the term dictionary (``W3PostingsWriter`` calls a method that does not exist, so the default
limit of 1 disables it). Both are fixed here without changing what is found or how it scores:
positions are stored as one type byte plus an array of deltas (``B``/``H``/``I`` by the largest
delta; 2 bytes for a word seen once, decoded in C by ``array`` and ``accumulate``), and terms in
fewer than :data:`INLINE_LIMIT` documents keep their postings in the term dictionary, as typed
arrays (9 bytes for a word seen once in one article, where Whoosh's pickle takes 72; pickled
term infos of older indexes are still read).

Whoosh also reads a document's field length (needed for every posting it writes or merges and
for every document it scores) with a seek and a read of the length column each time, and for a
field without lengths in a segment checks the file system each time. The per-document reader
here reads each field's length column once into memory: writing a segment took 2.2-2.5 ms per
article (1,000-article batches), a third of it in those look-ups, and merging 4.5 ms, half of it.

Measured on 5,000 benchmark articles in one segment: index 4.11x -> 3.55x the text, same hits and
scores for phrase and term queries, phrase queries as fast. Inlined postings as arrays: 5,000
articles in ten 500-article segments, 5.79x -> 4.46x (the term dictionary 1.48 -> 0.85 MB each).

Schema 4 also pickles postings blocks with protocol 5 (Whoosh's protocol 2 writes each position
string as a ``_codecs.encode`` call: 0.52 -> 0.27 MB of postings per segment there) and
compresses stored documents together in 16 KB blocks instead of one by one (0.35 -> 0.23 MB):
4.46x -> 3.52x. An inlined term info drops Whoosh's 23-byte header (its figures follow from
the postings; 3 bytes remain) and terms in up to 15 articles are inlined: 3.52x -> 2.80x.
The term dictionary's hash table slots hold 16 bits of the hash and a 4-byte position (12 bytes
a term) where Whoosh's hold the 32-bit hash and an 8-byte position (24 bytes); lookups probe
as many keys, and read four slots at a time. 5,000 articles: 2.80x -> 2.50x (with
``filestate.sqlite``, 0.20x). Segments of schema 3 are still read: their pickled codec lacks
``stored_blocks``, their term infos carry Whoosh's flag and their term dictionaries lack
``newscli_slots``.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from itertools import accumulate, groupby, pairwise
from operator import itemgetter
from typing import Any

from whoosh.codec.base import OutOfOrderError
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldCursor,
    W3FieldWriter,
    W3LeafMatcher,
    W3PerDocReader,
    W3PerDocWriter,
    W3PostingsWriter,
    W3TermInfo,
    W3TermsReader,
    _lenfield,
)
from whoosh.columns import Column, ColumnReader, ColumnWriter, PickleColumn
from whoosh.filedb.filetables import (
    FileFormatError,
    OrderedHashReader,
    OrderedHashWriter,
    _dir_entry,
    _directory_size,
    _hash_functions,
)
from whoosh.formats import Positions
from whoosh.matching import ListMatcher, ReadTooFar
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length, length_to_byte

try:
    from _md5 import md5 as _builtin_md5  # type: ignore[import-not-found] # no stubs
except ImportError:  # an interpreter built without its own MD5
    from hashlib import md5 as _builtin_md5

__all__ = ["INLINE_LIMIT", "STORED_BLOCK_BYTES", "CompactPositions", "NewsCodec"]

INLINE_LIMIT = 16
"""Terms found in fewer documents than this are stored inline in the term dictionary."""


class CompactPositions(Positions):  # type: ignore[misc] # Whoosh has no type hints
    """Positions (frequency, weight, positions) stored as an array of deltas."""

    def encode(self, poslist: list[int]) -> bytes:
        deltas = [position - before for before, position in pairwise([0, *sorted(poslist)])]
        largest = max(deltas, default=0)
        code = "B" if largest < 1 << 8 else "H" if largest < 1 << 16 else "I"
        return code.encode("ascii") + array(code, deltas).tobytes()

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return list(accumulate(array(chr(valuestring[0]), valuestring[1:])))

    def decode_frequency(self, valuestring: bytes) -> int:
        return (len(valuestring) - 1) // array(chr(valuestring[0])).itemsize


_COMPACT = 2
"""The term info flag of postings inlined as arrays (Whoosh's flag 1 means a pickle)."""
_FLOAT32 = struct.Struct("!f")


def _array_code(values: Any, *, integral: bool = True) -> str:
    """The smallest ``array`` type code that holds ``values`` exactly."""
    if integral:
        largest = max(values, default=0)
        return "B" if largest < 1 << 8 else "H" if largest < 1 << 16 else "I"
    return "f"


def _encode_inlined(ids: Any, weights: Any, values: Any) -> bytes | None:
    """Encode a short posting list as typed arrays, or return None when it does not fit.

    Layout: count, the type codes of ids, weights and value lengths (``-`` for no values),
    then the three arrays and the values' bytes: 9 bytes for one posting with one position,
    where Whoosh's pickle takes 72.
    """
    count = len(ids)
    if count > 255 or (values and len(values) != count):
        return None
    if not all(type(i) is int and 0 <= i < 1 << 32 for i in ids):
        return None
    integral = all(float(w).is_integer() and 0 <= w < 1 << 32 for w in weights)
    weights = [int(w) for w in weights] if integral else list(weights)
    lengths = [len(value) for value in values]
    id_code = _array_code(ids)
    weight_code = _array_code(weights, integral=integral)
    length_code = _array_code(lengths) if values else "-"
    parts = [
        bytes((count,)),
        f"{id_code}{weight_code}{length_code}".encode("ascii"),
        array(id_code, ids).tobytes(),
        array(weight_code, weights).tobytes(),
    ]
    if values:
        parts.append(array(length_code, lengths).tobytes())
        parts.extend(values)
    return b"".join(parts)


def _decode_inlined(data: bytes) -> tuple[tuple[int, ...], tuple[float, ...], tuple[bytes, ...]]:
    """Decode what :func:`_encode_inlined` wrote."""
    count = data[0]
    id_code, weight_code, length_code = chr(data[1]), chr(data[2]), chr(data[3])
    position = 4
    parsed = []
    for code in (id_code, weight_code, length_code):
        if code == "-":
            break
        size = array(code).itemsize * count
        parsed.append(array(code, data[position : position + size]))
        position += size
    ids = tuple(parsed[0])
    weights = tuple(float(weight) for weight in parsed[1])
    if len(parsed) < 3:
        return ids, weights, ()
    values = []
    for length in parsed[2]:
        values.append(data[position : position + length])
        position += length
    return ids, weights, tuple(values)


class _TermInfo(W3TermInfo):  # type: ignore[misc] # Whoosh has no type hints
    """Whoosh's term info with inlined postings stored as arrays instead of a pickle."""

    _inlined: Any
    _struct: Any

    def to_bytes(self) -> bytes:
        encoded = _encode_inlined(*self._inlined) if self.is_inlined() else None
        if encoded is None:
            return W3TermInfo.to_bytes(self)  # type: ignore[no-any-return]
        # Whoosh's 23-byte header is left out: its figures follow from the postings.
        minlength = 0 if self._minlength is None else length_to_byte(self._minlength)
        return bytes((_COMPACT, minlength, length_to_byte(self._maxlength))) + encoded

    @classmethod
    def from_bytes(cls, data: bytes) -> Any:
        if data[0] != _COMPACT:
            return W3TermInfo.from_bytes(data)
        terminfo = cls()
        ids, weights, _ = terminfo._inlined = _decode_inlined(data[3:])
        # As Whoosh's header would give them: sums and maxima as 4-byte floats.
        terminfo._weight = _FLOAT32.unpack(_FLOAT32.pack(sum(weights)))[0]
        terminfo._maxweight = _FLOAT32.unpack(_FLOAT32.pack(max(weights)))[0]
        terminfo._df = len(ids)
        terminfo._minlength = byte_to_length(data[1])
        terminfo._maxlength = byte_to_length(data[2])
        terminfo._minid, terminfo._maxid = ids[0], ids[-1]
        return terminfo


_SLOTS_KEY = "newscli_slots"
"""Set in a term dictionary's extras when its hash tables hold 4-byte positions only."""
_SLOT = struct.Struct("!HI")
"""A hash table slot: 16 more bits of the key's hash, the key's position."""
_PROBE_SLOTS = 4
"""Slots read at once while probing."""
_FOUND_LIMIT = 4096
"""Term look-ups a term dictionary reader remembers (then it starts again)."""
_LENGTHS = struct.Struct("!ii")
_HASH_HEADER = struct.Struct("!4sBii")
"""A Whoosh hash file's header: magic, hash function, two unused ints."""


def _md5_hash(key: bytes) -> int:
    """Whoosh's ``md5_hash`` (the term dictionaries' hash function) without OpenSSL.

    ``hashlib`` loads OpenSSL (a few milliseconds of every cold search); the interpreter's
    built-in MD5 gives the same digest.
    """
    return int(_builtin_md5(key, usedforsecurity=False).hexdigest(), 16) & 0xFFFFFFFF


def _fragment(keyhash: int) -> int:
    return (keyhash >> 16) & 0xFFFF


class _SlotHashWriter(OrderedHashWriter):  # type: ignore[misc] # Whoosh has no type hints
    """Whoosh's ordered term dictionary with smaller hash tables.

    Whoosh's tables give each term two 12-byte slots (its whole hash and an 8-byte position),
    24 bytes a term, more than most terms' postings. Here a slot holds 16 bits of the hash and
    a 4-byte position, two slots a term (12 bytes), so a lookup still skips most other keys
    without reading them; the key and value layout and the sorted index array (for prefix and
    range walks) are Whoosh's.
    """

    lastkey: bytes

    def __init__(self, dbfile: Any) -> None:
        super().__init__(dbfile)
        self.extras[_SLOTS_KEY] = True

    def add(self, key: bytes, value: bytes) -> None:
        """Add a key (greater than the last) and its value: Whoosh's ``add`` in one write."""
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        dbfile = self.dbfile
        position = dbfile.tell()
        self.index.append(position)
        dbfile.write(_LENGTHS.pack(len(key), len(value)) + key + value)
        keyhash = _md5_hash(key)
        self.buckets[keyhash & 255].append((keyhash, position))
        self.lastkey = key

    def _write_hashes(self) -> None:
        dbfile = self.dbfile
        for entries in self.buckets:
            slots = 2 * len(entries)
            self.directory.append((dbfile.tell(), slots))
            table: list[tuple[int, int]] = [(0, 0)] * slots
            for keyhash, position in entries:
                if position >= 1 << 32:
                    raise ValueError("term dictionary larger than 4 GB")
                slot = (keyhash >> 8) % slots
                while table[slot][1]:
                    slot = (slot + 1) % slots
                table[slot] = (_fragment(keyhash), position)
            dbfile.write(b"".join(_SLOT.pack(*entry) for entry in table))


class _SlotHashReader(OrderedHashReader):  # type: ignore[misc] # Whoosh has no type hints
    """Reads Whoosh's term dictionaries and :class:`_SlotHashWriter`'s."""

    extras: dict[str, Any]

    def __init__(self, dbfile: Any, length: int) -> None:
        """Open the term dictionary as Whoosh does, reading the table directory in one call.

        Whoosh reads its 256 entries one by one: 2,300 reads to open 9 segments, which a cold
        ``newscli search`` does every time.
        """
        self.dbfile = dbfile
        self.startoffset = 0
        self.is_closed = False
        header = dbfile.get(0, _HASH_HEADER.size)
        magic, self.hashtype, _, _ = _HASH_HEADER.unpack(header)
        if magic != b"HSH3":
            raise FileFormatError(f"Unknown file header {magic!r}")
        self.hashfn = _md5_hash if self.hashtype == 0 else _hash_functions[self.hashtype]
        self.startofdata = _HASH_HEADER.size
        extras_end = length - _INT_SIZE
        extras_start = extras_end - dbfile.get_int(extras_end)
        dbfile.seek(extras_start)
        self._read_extras()
        directory = dbfile.get(extras_start - _directory_size, _directory_size)
        self.tables = list(_dir_entry.iter_unpack(directory))
        self.endofdata = self.tables[0][0]
        self._found: dict[bytes, tuple[int, int] | None] = {}

    def ranges_for_key(self, key: bytes) -> Iterator[tuple[int, int]]:
        """Yield where ``key``'s value is (at most once: an ordered hash file's keys increase).

        Found places are kept: Whoosh looks a term up twice to open its postings (and again
        for each segment's scorer and the snippets), each lookup two or three file reads.
        """
        if not isinstance(key, bytes):
            raise TypeError(f"Key {key!r} should be bytes")
        try:
            found = self._found[key]
        except KeyError:
            found = self._look_up(key)
            if len(self._found) >= _FOUND_LIMIT:
                self._found.clear()
            self._found[key] = found
        if found is not None:
            yield found

    def _look_up(self, key: bytes) -> tuple[int, int] | None:
        if not self.extras.get(_SLOTS_KEY):
            return next(iter(super().ranges_for_key(key)), None)
        keyhash = self.hashfn(key)
        tablestart, slots = self.tables[keyhash & 255]
        if not slots:
            return None
        dbfile = self.dbfile
        fragment = _fragment(keyhash)
        wanted = _LENGTHS.size + len(key)
        slot = (keyhash >> 8) % slots
        probed = 0
        while probed < slots:
            count = min(_PROBE_SLOTS, slots - slot, slots - probed)
            window = dbfile.get(tablestart + _SLOT.size * slot, _SLOT.size * count)
            for found, position in _SLOT.iter_unpack(window):
                if not position:
                    return None
                if found == fragment:
                    entry = dbfile.get(position, wanted)
                    keylength, datalength = _LENGTHS.unpack(entry[: _LENGTHS.size])
                    if keylength == len(key) and entry[_LENGTHS.size :] == key:
                        return (position + wanted, datalength)
            probed += count
            slot = (slot + count) % slots
        return None


class _FieldWriter(W3FieldWriter):  # type: ignore[misc] # Whoosh has no type hints
    """Whoosh's field writer with the smaller term dictionary of :class:`_SlotHashWriter`."""

    _postwriter: Any

    def __init__(self, codec: Any, storage: Any, segment: Any) -> None:
        self._codec = codec
        self._storage = storage
        self._segment = segment
        self._fieldname = self._fieldid = self._btext = self._fieldobj = self._format = None
        self._tindex = _SlotHashWriter(self._create_file(W3Codec.TERMS_EXT))
        self._fieldmap: dict[str, int] = {}
        self._tindex.extras["fieldmap"] = self._fieldmap
        self._postfile = self._create_file(W3Codec.POSTS_EXT)
        self._postwriter = None
        self._infield = False
        self.is_closed = False

    def add_postings(self, schema: Any, lengths: Any, items: Any) -> None:
        """Write sorted ``(field, term, document, weight, value)`` postings a term at a time.

        What Whoosh's ``FieldWriter.add_postings`` writes, byte for byte, without its five
        method calls and checks per posting: writing a 4,000-article segment took 1.85 ms per
        article, merging segments 2.1 ms.
        """
        self.add_terms(schema, lengths, terms_of(items))

    def add_terms(self, schema: Any, lengths: Any, terms: Iterable[TermPostings]) -> None:
        """Write terms' postings given as :data:`TermPostings` in term order; the postings of
        a term given several times in a row (from merged segments) are joined in that order."""
        tables = lengths.field_lengths if isinstance(lengths, _LengthTables) else None
        last: tuple[str, bytes] | None = None
        field_lengths: Any = None
        for key, group in groupby(terms, key=_TERM_KEY):
            fieldname, btext = key
            if last is not None and key <= last:
                raise OutOfOrderError(f"Term {last!r} .. {key!r}")
            if last is None or fieldname != last[0]:
                if last is not None:
                    self.finish_field()
                self.start_field(fieldname, schema[fieldname])
                if tables is not None:
                    field_lengths = tables(fieldname)
            last = key
            parts = list(group)
            if len(parts) == 1:
                _key, ids, weights, values = parts[0]
            else:
                ids = [number for part in parts for number in part[1]]
                weights = [weight for part in parts for weight in part[2]]
                values = [value for part in parts for value in part[3]]
            if tables is not None:
                found = [field_lengths[docnum] for docnum in ids] if field_lengths else None
            elif lengths:
                found = [lengths.doc_field_length(docnum, fieldname) for docnum in ids]
            else:
                found = None
            self._btext = btext
            terminfo = self._postwriter.write_term(self._format, ids, weights, values, found)
            self._tindex.add(_FIELD_NUMBER.pack(self._fieldid) + btext, terminfo.to_bytes())


TermPostings = tuple[tuple[str, bytes], list[int], list[float], list[Any]]
"""One term's postings: ``(field, term)``, then its documents, weights and values."""


def terms_of(items: Iterable[tuple[Any, ...]]) -> Iterator[TermPostings]:
    """Group sorted ``(field, term, document, weight, value)`` postings by term."""
    for key, group in groupby(items, key=_FIELD_AND_TERM):
        postings = [posting for posting in group if posting[2] != -1]  # -1: spelling words
        if postings:
            yield (
                key,
                [posting[2] for posting in postings],
                [posting[3] for posting in postings],
                [posting[4] for posting in postings],
            )


def segment_terms(
    reader: Any, startdoc: int, docmap: dict[int, int] | None
) -> Iterator[TermPostings]:
    """Yield a segment's postings a term at a time, renumbered as a merge does (documents
    from ``startdoc`` on, or through ``docmap``, which leaves out deleted documents).

    The same postings as Whoosh's ``reader.iter_postings()`` through ``_process_posts``,
    read a block or an inlined term at a time instead of five method calls per posting.
    """
    schema = reader.schema
    terms = reader._terms
    codec, postfile = terms._codec, terms._postfile
    items = terms.all_items() if isinstance(terms, _TermsReader) else terms.items()
    for key, terminfo in items:
        fieldname = key[0]
        if fieldname not in schema:
            continue
        ids, weights, values = _all_postings(codec, postfile, terminfo, schema[fieldname].format)
        if docmap is None:
            ids = [startdoc + number for number in ids]
        else:
            kept = [index for index, number in enumerate(ids) if number in docmap]
            if not kept:
                continue
            ids = [docmap[ids[index]] for index in kept]
            weights = [weights[index] for index in kept]
            values = [values[index] for index in kept]
        if ids:
            yield key, ids, weights, values


def _all_postings(
    codec: Any, postfile: Any, terminfo: Any, format_: Any
) -> tuple[list[int], list[float], list[Any]]:
    """Return every posting of a term (deleted documents included) as three lists."""
    if isinstance(codec, NewsCodec) and terminfo.is_inlined():
        ids, weights, values = terminfo.inlined_postings()
        # As the ListMatcher NewsCodec.postings_reader makes: no weights read as 1.0.
        return (
            list(ids),
            list(weights) if weights else [1.0] * len(ids),
            list(values) if values else [b""] * len(ids),
        )
    matcher = codec.postings_reader(postfile, terminfo, format_)
    if isinstance(matcher, W3LeafMatcher):
        ids, weights, values = [], [], []
        while True:
            matcher._read_ids()
            matcher._read_weights()
            matcher._read_values()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            values.extend(matcher._values)
            if matcher._lastblock:
                return ids, weights, values
            matcher._goto(matcher._nextoffset)
    ids, weights, values = [], [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        values.append(matcher.value())
        matcher.next()
    return ids, weights, values


class _FieldCursor(W3FieldCursor):  # type: ignore[misc] # Whoosh has no type hints
    def term_info(self) -> Any:
        if self._pos is None:
            return None
        return _TermInfo.from_bytes(self._tindex.dbfile.get(self._datapos, self._datalen))


class _TermsReader(W3TermsReader):  # type: ignore[misc] # Whoosh has no type hints
    """Whoosh's terms reader, reading term infos in either inlined form and either table."""

    def __init__(self, codec: Any, dbfile: Any, length: int, postfile: Any) -> None:
        self._codec = codec
        self._dbfile = dbfile
        self._tindex = _SlotHashReader(dbfile, length)
        self._fieldmap = self._tindex.extras["fieldmap"]
        self._postfile = postfile
        self._fieldunmap = [None] * len(self._fieldmap)
        for fieldname, number in self._fieldmap.items():
            self._fieldunmap[number] = fieldname

    def cursor(self, fieldname: str, fieldobj: Any) -> Any:
        return _FieldCursor(self._tindex, fieldname, self._keycoder, self._keydecoder, fieldobj)

    def items(self) -> Iterator[tuple[Any, Any]]:
        decode = self._keydecoder
        return ((decode(key), _TermInfo.from_bytes(value)) for key, value in self._tindex.items())

    def all_items(self) -> Iterator[tuple[Any, Any]]:
        """:meth:`items`, with the term dictionary's entries read in one call, not three
        reads each (for merges, which read every term)."""
        table = self._tindex
        start, end = table.startofdata, table.endofdata
        data = table.dbfile.get(start, end - start)
        decode, info = self._keydecoder, _TermInfo.from_bytes
        unpack, size, position = _LENGTHS.unpack_from, _LENGTHS.size, 0
        while position < len(data):
            keylength, datalength = unpack(data, position)
            key = position + size
            value = key + keylength
            yield decode(data[key:value]), info(data[value : value + datalength])
            position = value + datalength

    def items_from(self, fieldname: str, prefix: bytes) -> Iterator[tuple[Any, Any]]:
        decode = self._keydecoder
        return (
            (decode(key), _TermInfo.from_bytes(value))
            for key, value in self._tindex.items_from(self._keycoder(fieldname, prefix))
        )

    def frequency(self, fieldname: str, tbytes: bytes) -> float:
        datapos, datalen = self._range_for_key(fieldname, tbytes)
        if self._dbfile.get_byte(datapos) == _COMPACT:
            return float(_TermInfo.from_bytes(self._dbfile.get(datapos, datalen)).weight())
        return float(W3TermInfo.read_weight(self._dbfile, datapos))

    def doc_frequency(self, fieldname: str, tbytes: bytes) -> int:
        datapos = self._range_for_key(fieldname, tbytes)[0]
        if self._dbfile.get_byte(datapos) == _COMPACT:
            return int(self._dbfile.get_byte(datapos + 3))  # the postings' count
        return int(W3TermInfo.read_doc_freq(self._dbfile, datapos))

    def term_info(self, fieldname: str, tbytes: bytes) -> Any:
        try:
            return _TermInfo.from_bytes(self._tindex[self._keycoder(fieldname, tbytes)])
        except KeyError:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}") from None


class _InliningPostingsWriter(W3PostingsWriter):  # type: ignore[misc] # Whoosh has no hints
    """Whoosh's postings writer with its inlining of short posting lists working."""

    _terminfo: Any

    def start_postings(self, format_: Any, terminfo: Any) -> None:
        super().start_postings(format_, _TermInfo() if type(terminfo) is W3TermInfo else terminfo)

    def _write_block(self, last: bool = False) -> None:
        """Write the buffered postings as Whoosh does, but pickled with protocol 5.

        Protocol 2 (Whoosh's) writes each position string as a ``_codecs.encode`` call, which
        doubles the compressed block; any protocol reads back with the same ``loads``.
        """
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        data = pickle.dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), 5)
        compression = self._compression
        if compression:
            packed = zlib.compress(data, compression)
            if len(packed) < len(data):
                data = packed
            else:
                compression = 0
        ids = self._ids
        info = pickle.dumps(
            (
                len(ids),
                ids[-1],
                self._maxweight,
                compression,
                length_to_byte(self._minlength),
                length_to_byte(self._maxlength),
            ),
            2,
        )
        length = len(info) + len(data)
        self._postfile.write_int(-length if last else length)  # negative: the last block
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()

    def write_term(
        self,
        format_: Any,
        ids: list[int],
        weights: list[float],
        values: list[bytes | None],
        lengths: list[int | None] | None,
    ) -> Any:
        """Write one term's postings (as ``add_posting`` for each, then ``finish_postings``)
        and return its term info."""
        self.start_postings(format_, _TermInfo())
        limit = self._blocklimit
        for start in range(0, len(ids), limit):
            if start:
                self._write_block()
            end = start + limit
            self._ids = array("I", ids[start:end])
            chunk = weights[start:end]
            self._weights = array("f", chunk)
            self._maxweight = max(0, *chunk)
            self._values = [value for value in values[start:end] if value]
            known = [length for length in lengths[start:end] if length] if lengths else ()
            self._minlength = min(known) if known else None
            self._maxlength = max(known) if known else 0
        return self.finish_postings()

    def finish_postings(self) -> Any:
        terminfo = self._terminfo
        if not self.written() and len(self) < self._inlinelimit:
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            self._terminfo = None
            return terminfo
        return super().finish_postings()


_BYTE_LENGTHS = tuple(byte_to_length(code) for code in range(256))
_FIELD_AND_TERM = itemgetter(0, 1)
_TERM_KEY = itemgetter(0)
_FIELD_NUMBER = struct.Struct("!H")


_BLOCK_HEAD = 128
"""Bytes read at once at the start of a postings block: its length and its pickled info
(about 40 bytes)."""
_BLOCK_LENGTH = struct.Struct("!i")


class _LeafMatcher(W3LeafMatcher):  # type: ignore[misc] # Whoosh has no type hints
    """Whoosh's block postings reader with fewer reads and Python steps per block and skip.

    Whoosh unpickles a block's info straight from the file, about twenty small reads (each a
    seek and a read through the compound file), decodes ids with a generator and skips within
    a block one posting at a time; here a block's head is one read, ids are decoded by
    ``itertools.accumulate`` and a skip within a block is a binary search. Same postings.
    """

    _data: Any
    _ids: Any
    _weights: Any
    _values: Any

    def _goto(self, position: int) -> None:
        head = self._postfile.get(position, _BLOCK_HEAD)
        if len(head) <= _BLOCK_LENGTH.size:
            super()._goto(position)
            return
        length = _BLOCK_LENGTH.unpack_from(head)[0]
        stream = io.BytesIO(head[_BLOCK_LENGTH.size : _BLOCK_LENGTH.size + abs(length)])
        try:
            info = pickle.load(stream)
        except (EOFError, pickle.UnpicklingError):  # an info longer than the head: read it all
            super()._goto(position)
            return
        self._data = self._ids = self._weights = self._values = None
        self._i = 0
        if length < 0:
            self._lastblock = True
            length = -length
        self._nextoffset = position + _BLOCK_LENGTH.size + length
        self._dataoffset = position + _BLOCK_LENGTH.size + stream.tell()
        (
            self._blocklength,
            self._maxid,
            self._maxweight,
            self._compression,
            shortest,
            longest,
        ) = info
        self._minlength = _BYTE_LENGTHS[shortest]
        self._maxlength = _BYTE_LENGTHS[longest]

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        ids = self._data[0]
        self._ids = ids if self._byteids else tuple(accumulate(ids))

    def skip_to(self, targetid: int) -> None:
        if not self.is_active():
            raise ReadTooFar
        if self._ids is None:
            self._read_ids()
        if targetid <= self._ids[self._i]:
            return
        if targetid > self._maxid:
            while self.is_active() and targetid > self._maxid:
                self._next_block()
            if not self.is_active():
                return
            self._read_ids()
        # This block's last id is at least targetid, so the search ends inside the block.
        self._i = bisect_left(self._ids, targetid, self._i)


class _LengthTables(W3PerDocReader):  # type: ignore[misc] # Whoosh has no type hints
    """W3's per-document reader with each field's length column read into memory once."""

    def __init__(self, storage: Any, segment: Any) -> None:
        super().__init__(storage, segment)
        self._length_tables: dict[str, bytes | None] = {}

    def _length_table(self, fieldname: str) -> bytes | None:
        lenfield = _lenfield(fieldname)
        if not self.has_column(lenfield):
            return None
        reader = self.column_reader(lenfield, LENGTHS_COLUMN)
        return bytes(reader._dbfile.get(reader._basepos, reader._count))

    def _cached_length_table(self, fieldname: str) -> bytes | None:
        try:
            return self._length_tables[fieldname]
        except KeyError:
            table = self._length_tables[fieldname] = self._length_table(fieldname)
            return table

    def field_lengths(self, fieldname: str) -> tuple[int | None, ...] | None:
        """Return every document's length of a field (as :meth:`doc_field_length` gives
        it), indexed by document number, or None when the segment has no lengths for it."""
        table = self._cached_length_table(fieldname)
        if table is None:
            return None
        padding = (0,) * max(0, self._doccount + 1 - len(table))
        return tuple(_BYTE_LENGTHS[code] if code else None for code in (*table, *padding))

    def doc_field_length(self, docnum: int, fieldname: str, default: Any = 0) -> Any:
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        table = self._cached_length_table(fieldname)
        if table is None:
            return default
        code = table[docnum] if docnum < len(table) else 0
        # As W3PerDocReader: a length stored as 0 (a document without the field) reads as None.
        return _BYTE_LENGTHS[code] if code else None


STORED_BLOCK_BYTES = 16 * 1024
"""Stored documents are compressed together in blocks of about this many bytes."""
_STORED_LEVEL = 6
_STORED_TRAILER = struct.Struct("<QII")
"""Where the block index starts, how many blocks and documents the column holds."""


class _BlockColumn(Column):  # type: ignore[misc] # Whoosh has no type hints
    """Byte strings compressed together in blocks of :data:`STORED_BLOCK_BYTES`.

    Whoosh compresses each stored document alone, which barely shrinks a short article (0.85
    of its text at 900 bytes); a 16 KB block of them compresses to about half that. Reading a
    document decompresses its block (about 40 us); the last block read is kept.

    Layout: the compressed blocks, then the block index (each block's offset and first
    document, and each document's start in its block, as ``I`` arrays) and a trailer.
    """

    def writer(self, dbfile: Any) -> _BlockColumnWriter:
        return _BlockColumnWriter(dbfile)

    def reader(self, dbfile: Any, basepos: int, length: int, doccount: int) -> _BlockColumnReader:
        return _BlockColumnReader(dbfile, basepos, length, doccount)


class _BlockColumnWriter(ColumnWriter):  # type: ignore[misc] # Whoosh has no type hints
    def __init__(self, dbfile: Any) -> None:
        super().__init__(dbfile)
        self._offsets = array("Q")
        self._first_docs = array("I")
        self._starts = array("I")
        self._block: list[bytes] = []
        self._block_size = 0
        self._written = 0

    def add(self, docnum: int, value: bytes) -> None:
        while len(self._starts) < docnum:  # documents with nothing stored
            self._append(b"")
        self._append(value)

    def _append(self, value: bytes) -> None:
        if not self._block:
            self._first_docs.append(len(self._starts))
        self._starts.append(self._block_size)
        self._block.append(value)
        self._block_size += len(value)
        if self._block_size >= STORED_BLOCK_BYTES:
            self._flush()

    def _flush(self) -> None:
        if not self._block:
            return
        data = zlib.compress(b"".join(self._block), _STORED_LEVEL)
        self._offsets.append(self._written)
        self._dbfile.write(data)
        self._written += len(data)
        self._block, self._block_size = [], 0

    def finish(self, doccount: int) -> None:
        while len(self._starts) < doccount:
            self._append(b"")
        self._flush()
        self._offsets.append(self._written)  # the end of the last block
        for numbers in (self._offsets, self._first_docs, self._starts):
            self._dbfile.write(numbers.tobytes())
        self._dbfile.write(
            _STORED_TRAILER.pack(self._written, len(self._first_docs), len(self._starts))
        )


class _BlockColumnReader(ColumnReader):  # type: ignore[misc] # Whoosh has no type hints
    def __init__(self, dbfile: Any, basepos: int, length: int, doccount: int) -> None:
        super().__init__(dbfile, basepos, length, doccount)
        trailer = dbfile.get(basepos + length - _STORED_TRAILER.size, _STORED_TRAILER.size)
        index, blocks, documents = _STORED_TRAILER.unpack(trailer)
        position = basepos + index
        arrays = []
        for code, count in (("Q", blocks + 1), ("I", blocks), ("I", documents)):
            numbers = array(code)
            numbers.frombytes(dbfile.get(position, count * numbers.itemsize))
            position += count * numbers.itemsize
            arrays.append(numbers)
        self._offsets, self._first_docs, self._starts = arrays
        self._cached = (-1, b"")

    def _block(self, number: int) -> bytes:
        if self._cached[0] != number:
            start, end = self._offsets[number], self._offsets[number + 1]
            data = zlib.decompress(self._dbfile.get(self._basepos + start, end - start))
            self._cached = (number, data)
        return self._cached[1]

    def __getitem__(self, docnum: int) -> bytes:
        if not 0 <= docnum < len(self._starts):
            return b""
        number = bisect_right(self._first_docs, docnum) - 1
        data = self._block(number)
        last = docnum + 1 == len(self._starts) or (
            number + 1 < len(self._first_docs) and self._first_docs[number + 1] == docnum + 1
        )
        end = len(data) if last else self._starts[docnum + 1]
        return data[self._starts[docnum] : end]

    def __iter__(self) -> Iterator[bytes]:
        for docnum in range(self._doccount):
            yield self[docnum]


_STORED_BLOCKS = PickleColumn(_BlockColumn())


class _PerDocWriter(W3PerDocWriter):  # type: ignore[misc] # Whoosh has no type hints
    """Whoosh's per-document writer with stored fields compressed in blocks."""

    def _create_column(self, fieldname: str, column: Any) -> None:
        super()._create_column(fieldname, _STORED_BLOCKS if fieldname == "_stored" else column)


class _PerDocReader(_LengthTables):
    """Whoosh's per-document reader for stored fields compressed in blocks."""

    def stored_fields(self, docnum: int) -> dict[str, Any]:
        return self._cached_reader("_stored", _STORED_BLOCKS)[docnum] or {}


class NewsCodec(W3Codec):  # type: ignore[misc] # Whoosh has no type hints
    """Whoosh's W3 codec (same files, same reader) that inlines rare terms' postings."""

    stored_blocks = False
    """Whether stored fields are compressed in blocks: segments of schema 3 were written by a
    codec pickled without this attribute, and so are read as Whoosh wrote them."""

    def __init__(self, blocklimit: int = 128, compression: int = 3) -> None:
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=INLINE_LIMIT)
        self.stored_blocks = True

    def field_writer(self, storage: Any, segment: Any) -> Any:
        if not self.stored_blocks:
            return super().field_writer(storage, segment)
        return _FieldWriter(self, storage, segment)

    def per_document_writer(self, storage: Any, segment: Any) -> Any:
        if not self.stored_blocks:
            return super().per_document_writer(storage, segment)
        return _PerDocWriter(self, storage, segment)

    def per_document_reader(self, storage: Any, segment: Any) -> Any:
        if not self.stored_blocks:
            return _LengthTables(storage, segment)
        return _PerDocReader(storage, segment)

    def terms_reader(self, storage: Any, segment: Any) -> Any:
        name = segment.make_filename(self.TERMS_EXT)
        postings = segment.open_file(storage, self.POSTS_EXT)
        return _TermsReader(self, storage.open_file(name), storage.file_length(name), postings)

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if not terminfo.is_inlined():
            offset, length = terminfo.extent()
            return _LeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)
        ids, weights, values = terminfo.inlined_postings()
        # Postings without values (ID fields) must read back as b"", not ListMatcher's "" (a
        # merge writes what it reads, and the writer accepts bytes only).
        return ListMatcher(
            ids,
            weights,
            values or (b"",) * len(ids),
            format_,
            scorer=scorer,
            term=term,
            terminfo=terminfo,
        )

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> W3PostingsWriter:
        return _InliningPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            byteids=byteids,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )
