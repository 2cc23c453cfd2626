"""Helpers that turn Python objects and source text into prompt text: callable signatures,
class headers, docstrings, indentation. Defined in moss's engine (`_moss.prompt_utils`); this is
their public home."""
from __future__ import annotations

from _moss.prompt_utils import (
    add_comment_mark,
    add_source_indent,
    count_source_indent,
    escape_string_quotes,
    get_callable_definition,
    get_calling_modulename,
    get_class_def_from_source,
    get_extends_comment,
    get_import_comment,
    get_modulename,
    get_typehint_string,
    is_builtin,
    is_callable,
    is_classmethod,
    is_code_same_as_print,
    is_model_class,
    is_name_public,
    is_public_callable,
    is_subclass,
    is_typing,
    make_class_prompt,
    parse_comments,
    parse_doc_string,
    replace_class_def_name,
    strip_source_indent,
    unwrap_str,
)

__all__ = [
    "unwrap_str", "get_modulename", "is_typing", "is_builtin", "is_classmethod", "is_subclass", "is_model_class",
    "parse_comments", "parse_doc_string", "escape_string_quotes", "strip_source_indent", "add_source_indent",
    "make_class_prompt", "is_callable", "is_public_callable", "get_callable_definition", "get_typehint_string",
    "get_import_comment", "get_extends_comment", "get_class_def_from_source", "count_source_indent",
    "replace_class_def_name", "get_calling_modulename", "is_code_same_as_print", "is_name_public",
    "add_comment_mark",
]
