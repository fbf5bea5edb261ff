#!/usr/bin/env python3
"""Builds the chat template fixtures of LLMTokenizerTests in Tests/Fixtures/chat-templates:
  templates/NAME.jinja   copies of the real templates in ../shared/chat-templates
  scenarios.json         the conversations every template is rendered with (messages, tools,
                         documents, add_generation_prompt, template kwargs), the fixed clock
                         and the special tokens of each template's model
  expected/NAME.json     for each scenario, the text transformers renders, or the exception
                         it raises (type and message)
  semantics.json         small templates exercising one Jinja feature each, with the text or
                         exception jinja2 gives in transformers' environment

References (pinned; run with exactly these versions):
  transformers==5.24.0   transformers.utils.chat_template_utils.render_jinja_template after
                         _normalize_chat_messages, exactly what apply_chat_template(tokenize=False)
                         runs (special tokens passed as bos_token/eos_token kwargs)
  jinja2==3.1.6

strftime_now is replaced by a fixed clock (FIXED_NOW, taken as UTC by the Swift side).

Usage: python3 Scripts/make_chat_template_fixtures.py
"""
import datetime
import json
import os
import shutil
import sys

import jinja2
import transformers
from transformers.utils.chat_template_utils import (
    _compile_jinja_template,
    _normalize_chat_messages,
    render_jinja_template,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "chat-templates")
OUT = os.path.join(ROOT, "Tests", "Fixtures", "chat-templates")
FIXED_NOW = datetime.datetime(2025, 3, 7, 14, 5, 9)

# The special tokens of each template's model (bos, eos); None leaves the variable undefined.
SPECIAL_TOKENS = {
    "ByteDance-Seed-OSS": ("<seed:bos>", "<seed:eos>"),
    "CohereForAI-c4ai-command-r-plus-tool_use": ("<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>"),
    "CohereForAI-c4ai-command-r7b-12-2024-tool_use": ("<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>"),
    "Mistral-Small-3.2-24B-Instruct-2506": ("<s>", "</s>"),
    "NVIDIA-Nemotron-Nano-v2": ("<SPECIAL_10>", "<SPECIAL_12>"),
    "NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use": ("<|begin_of_text|>", "<|im_end|>"),
    "NousResearch-Hermes-3-Llama-3.1-8B-tool_use": ("<|begin_of_text|>", "<|im_end|>"),
    "Qwen-QwQ-32B": (None, "<|im_end|>"),
    "Qwen-Qwen2.5-7B-Instruct": (None, "<|im_end|>"),
    "Qwen-Qwen3-0.6B": (None, "<|im_end|>"),
    "deepseek-ai-DeepSeek-R1-Distill-Llama-8B": ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B": ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    "deepseek-ai-DeepSeek-V3.1": ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    "fireworks-ai-llama-3-firefunction-v2": ("<|begin_of_text|>", "<|eot_id|>"),
    "google-gemma-2-2b-it": ("<bos>", "<eos>"),
    "ibm-granite-granite-3.3-2B-Instruct": ("<|end_of_text|>", "<|end_of_text|>"),
    "llama-cpp-deepseek-r1": ("<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"),
    "llama-cpp-rwkv-world": (None, "\n\n"),
    "meetkai-functionary-medium-v3.1": ("<|begin_of_text|>", "<|eot_id|>"),
    "meetkai-functionary-medium-v3.2": ("<|begin_of_text|>", "<|eot_id|>"),
    "meta-llama-Llama-3.1-8B-Instruct": ("<|begin_of_text|>", "<|eot_id|>"),
    "meta-llama-Llama-3.2-3B-Instruct": ("<|begin_of_text|>", "<|eot_id|>"),
    "meta-llama-Llama-3.3-70B-Instruct": ("<|begin_of_text|>", "<|eot_id|>"),
    "microsoft-Phi-3.5-mini-instruct": ("<s>", "<|endoftext|>"),
    "mistralai-Mistral-Nemo-Instruct-2407": ("<s>", "</s>"),
    "moonshotai-Kimi-K2": ("[BOS]", "[EOS]"),
    "openai-gpt-oss-120b": ("<|startoftext|>", "<|return|>"),
    "unsloth-mistral-Devstral-Small-2507": ("<s>", "</s>"),
}

# Template variables one template needs in every scenario (firefunction reads them unconditionally).
TEMPLATE_KWARGS = {
    "fireworks-ai-llama-3-firefunction-v2": {
        "functions": '[{"name": "get_weather", "description": "Current weather"}]',
        "datetime": "2025-03-07",
    },
}

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city, e.g. Paris"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"], "description": "Temperature unit",
                         "default": "celsius"},
                "days": {"type": "integer", "description": "Forecast days", "minimum": 1, "maximum": 7},
            },
            "required": ["city"],
        },
    },
}
SEARCH_TOOL = {
    "type": "function",
    "function": {
        "name": "search_docs",
        "description": "Search the documentation — returns snippets.",
        "parameters": {
            "type": "object",
            "properties": {
                "query": {"type": "string", "description": "Words to look for"},
                "tags": {"type": "array", "items": {"type": "string"}, "description": "Filter by tags"},
                "limit": {"type": "number", "description": "Max results"},
                "exact": {"type": "boolean", "description": "Exact match only"},
            },
            "required": ["query", "tags"],
        },
    },
}
EVENT_TOOL = {
    "type": "function",
    "function": {
        "name": "create_event",
        "description": "Create a calendar event",
        "parameters": {
            "type": "object",
            "properties": {
                "title": {"type": "string", "description": "Event title", "maxLength": 80},
                "attendees": {"type": "array", "description": "People to invite",
                              "items": {"type": "object",
                                        "properties": {"email": {"type": "string", "format": "email"},
                                                       "optional": {"type": "boolean", "default": False}},
                                        "required": ["email"]}},
                "when": {"oneOf": [{"type": "string", "format": "date-time"},
                                   {"type": "integer", "description": "unix time"}]},
                "location": {"type": ["string", "null"], "nullable": True},
                "priority": {"type": "integer", "enum": [1, 2, 3], "examples": [1, 3]},
                "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                "matrix": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
            },
            "required": ["title", "when"],
        },
        "return": {"type": "string", "description": "The event id"},
    },
}
TOOLS = [WEATHER_TOOL, SEARCH_TOOL]


def tool_call(arguments):
    return {"id": "call12345", "type": "function", "function": {"name": "get_weather", "arguments": arguments}}


DICT_ARGS = {"city": "Paris", "unit": "celsius"}
STRING_ARGS = json.dumps(DICT_ARGS)


def tool_conversation(arguments):
    return [
        {"role": "system", "content": "You are a weather bot."},
        {"role": "user", "content": "What's the weather in Paris?"},
        {"role": "assistant", "content": None, "tool_calls": [tool_call(arguments)]},
        {"role": "tool", "tool_call_id": "call12345", "name": "get_weather",
         "content": '{"temperature": 18, "condition": "sunny"}'},
        {"role": "assistant", "content": "It is 18 °C and sunny in Paris."},
        {"role": "user", "content": "Thanks! And tomorrow?"},
    ]


UNICODE = 'Héllo wörld — 日本語 🚀 "quoted" \\ back\\slash\ttab\nnew line <b>&amp;</b> \u2028 end'

SCENARIOS = {
    "system_user": {"messages": [
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Hello! How are you?"}], "add_generation_prompt": True},
    "user_only": {"messages": [{"role": "user", "content": "What is 2+2?"}], "add_generation_prompt": True},
    "user_only_no_prompt": {"messages": [{"role": "user", "content": "  Trim me, please.  \n"}],
                            "add_generation_prompt": False},
    "multi_turn": {"messages": [
        {"role": "user", "content": "Hi there."},
        {"role": "assistant", "content": "Hello! How can I help?"},
        {"role": "user", "content": "Tell me a joke."}], "add_generation_prompt": True},
    "multi_turn_no_prompt": {"messages": [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Name a color."},
        {"role": "assistant", "content": "Blue."}], "add_generation_prompt": False},
    "tools_declared": {"messages": [
        {"role": "system", "content": "You can call tools."},
        {"role": "user", "content": "What's the weather in Paris?"}], "tools": TOOLS, "add_generation_prompt": True},
    "tool_calls_dict_arguments": {"messages": tool_conversation(DICT_ARGS), "tools": TOOLS,
                                  "add_generation_prompt": True},
    "tool_calls_string_arguments": {"messages": tool_conversation(STRING_ARGS), "tools": TOOLS,
                                    "add_generation_prompt": True},
    "tool_calls_no_tools_list": {"messages": tool_conversation(DICT_ARGS)[1:5], "add_generation_prompt": False},
    "reasoning_content": {"messages": [
        {"role": "user", "content": "What is 17 * 3?"},
        {"role": "assistant", "reasoning_content": "17 * 3 = 51.", "content": "51"},
        {"role": "user", "content": "And 17 * 4?"}], "add_generation_prompt": True},
    "reasoning_in_content": {"messages": [
        {"role": "user", "content": "Is 7 prime?"},
        {"role": "assistant", "content": "<think>\nIt has no divisors but 1 and 7.\n</think>\n\nYes, 7 is prime."},
        {"role": "user", "content": "Is 9 prime?"},
        {"role": "assistant", "content": "<think>3 * 3 = 9</think>No."}], "add_generation_prompt": False},
    "non_ascii": {"messages": [
        {"role": "system", "content": "Réponds en français. 中文也可以。"},
        {"role": "user", "content": UNICODE},
        {"role": "assistant", "content": "D'accord — « très bien » ✓"},
        {"role": "user", "content": "Encore une fois : ñ, ü, ß, 😀"}], "add_generation_prompt": True},
    "kwargs_thinking_off": {"messages": [{"role": "user", "content": "Quick answer: capital of Italy?"}],
                            "add_generation_prompt": True,
                            "kwargs": {"enable_thinking": False, "thinking": False, "thinking_budget": 0,
                                       "reasoning_effort": "low"}},
    "kwargs_thinking_on": {"messages": [
        {"role": "system", "content": "Think carefully."},
        {"role": "user", "content": "Prove that sqrt(2) is irrational."}], "add_generation_prompt": True,
        "tools": [WEATHER_TOOL],
        "kwargs": {"enable_thinking": True, "thinking": True, "thinking_budget": 512, "reasoning_effort": "high",
                   "builtin_tools": ["browser", "python"], "model_identity": "You are a test model.",
                   "date_string": "07 Mar 2025", "enable_citations": True,
                   "controls": {"citations": True, "length": "short"}}},
    "documents": {"messages": [{"role": "user", "content": "Summarise the documents."}],
                  "documents": [
                      {"title": "Doc A", "text": "Paris is the capital of France.", "doc_id": 1},
                      {"title": "Doc B", "text": "Berlin is the capital of Germany.", "doc_id": 2}],
                  "add_generation_prompt": True},
    "not_alternating": {"messages": [
        {"role": "user", "content": "First."},
        {"role": "user", "content": "Second."}], "add_generation_prompt": True},
    "content_parts": {"messages": [
        {"role": "user", "content": [{"type": "text", "text": "Describe this picture."},
                                     {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}],
        "add_generation_prompt": True},
    "complex_tools": {"messages": [
        {"role": "user", "content": "Plan a meeting with Ana tomorrow at 10."}], "tools": TOOLS + [EVENT_TOOL],
        "add_generation_prompt": True},
    "parallel_tool_calls": {"messages": [
        {"role": "user", "content": "Weather in Paris and Rome?"},
        {"role": "assistant", "content": "Let me check both.", "tool_calls": [
            tool_call(DICT_ARGS),
            {"id": "call67890", "type": "function",
             "function": {"name": "get_weather", "arguments": {"city": "Rome", "unit": "celsius"}}}]},
        {"role": "tool", "tool_call_id": "call12345", "content": "18"},
        {"role": "tool", "tool_call_id": "call67890", "content": "24"}], "tools": [WEATHER_TOOL],
        "add_generation_prompt": True},
    "thinking_with_tool_call": {"messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "reasoning_content": "I should call the tool.", "tool_calls": [tool_call(DICT_ARGS)]},
        {"role": "tool", "tool_call_id": "call12345", "content": "18"}], "tools": [WEATHER_TOOL],
        "add_generation_prompt": True},
    "long_chat": {"messages": [{"role": "system", "content": "You are terse."}] + [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"Message number {i}: " + "lorem ipsum " * (i % 5)}
        for i in range(19)], "add_generation_prompt": True},
    "developer_and_names": {"messages": [
        {"role": "system", "content": "System rules.", "name": "root"},
        {"role": "user", "content": "Hello", "name": "alice"},
        {"role": "assistant", "content": "Hi alice", "thinking": "Greet back."},
        {"role": "user", "content": "Bye", "extra_field": {"nested": [1, 2.5, None, True]}}],
        "add_generation_prompt": True},
}


def render(template, name, scenario):
    bos, eos = SPECIAL_TOKENS[name]
    compiled = _compile_jinja_template(template)
    compiled.environment.globals["strftime_now"] = lambda fmt: FIXED_NOW.strftime(fmt)
    kwargs = dict(TEMPLATE_KWARGS.get(name, {}))
    if bos is not None:
        kwargs["bos_token"] = bos
    if eos is not None:
        kwargs["eos_token"] = eos
    kwargs.update(scenario.get("kwargs", {}))
    messages = _normalize_chat_messages(json.loads(json.dumps(scenario["messages"])))
    try:
        rendered, _ = render_jinja_template(
            conversations=[messages], tools=scenario.get("tools"), documents=scenario.get("documents"),
            chat_template=template, add_generation_prompt=scenario.get("add_generation_prompt", False), **kwargs)
        return {"output": rendered[0]}
    except Exception as e:  # the Swift side must raise the same message
        return {"error": {"type": type(e).__name__, "message": str(e)}}


# Small templates, one Jinja feature each: (name, template, variables). Variables are JSON.
L = [1, 2, 3, 4, 5, 6]
D = {"b": 1, "a": [1, {"x": None}], "c": "é", "items": 5}
MSGS = [{"role": "user", "content": "a"},
        {"role": "assistant", "content": "b", "tool_calls": [{"function": {"name": "f1"}}]},
        {"role": "User", "content": "c"}]
SEMANTICS = [
    ("print_scalars", "{{ none }}|{{ true }}|{{ 1 }}|{{ 1.0 }}|{{ 1.5e300 }}|{{ 1e16 }}|{{ 1e15 }}|{{ 0.0001 }}|"
     "{{ 0.00001 }}|{{ -0.0 }}|{{ 1/3 }}|{{ 10/2 }}|{{ 0.1 + 0.2 }}|{{ 123456789012345678.0 }}|{{ f }}|{{ f * 2 }}",
     {"f": 2.5}),
    ("print_containers", "{{ [1, 'a', none, true, 1.5] }}|{{ {'a': \"it's\", 'b': 'x\"y', 1: []} }}|{{ d }}", {"d": D}),
    ("print_repr_escapes", "{{ ['a\\nb\\t\\\\', 'é\\x01', '\\u2028', \"'\"] }}", {}),
    ("arithmetic", "{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ 2**3**2 }} "
     "{{ -2**2 }} {{ 7.5 // 2 }} {{ -7.5 % 2 }} {{ 1 + 2.0 }} {{ true + 1 }} {{ 3 * 'ab' }} {{ [1] * 3 }} "
     "{{ 'a' ~ 1 ~ none ~ [1] ~ 1.0 }} {{ 10 / 4 }} {{ -(l|length) }}", {"l": [1]}),
    ("arithmetic_negate_list", "{{ -l|length }}", {"l": L}),
    ("divide_by_zero", "{{ 1 / 0 }}", {}),
    ("floor_divide_by_zero", "{{ 1 // 0 }}", {}),
    ("modulo_by_zero", "{{ 1 % 0 }}", {}),
    ("add_str_int", "{{ 'a' + 1 }}", {}),
    ("add_int_str", "{{ 1 + 'a' }}", {}),
    ("add_none_int", "{{ none + 1 }}", {}),
    ("add_list_none", "{{ [1] + none }}", {}),
    ("compare_str_int", "{{ 'a' < 1 }}", {}),
    ("percent_format", "{{ '%s-%d-%05.1f|%r|%x|%%' % ('a', 3, 2.25, 'q', 255) }}|{{ '%s!' % 'one' }}", {}),
    ("comparisons", "{{ 1 == 1.0 }} {{ true == 1 }} {{ {'a': 1} == {'a': 1.0} }} {{ [1, 2] == [1, 2] }} "
     "{{ 'a' < 'b' }} {{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'é' > 'z' }} {{ [1, 2] < [1, 3] }} {{ none == none }} "
     "{{ nothing == none }} {{ nothing == nothing2 }} {{ d == {'y': 1, 'x': 2} }}", {"d": {"x": 2, "y": 1}}),
    ("membership", "{{ 'a' in 'cat' }} {{ 1 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in d }} "
     "{{ 'x' in nothing }} {{ nothing in [1] }} {{ '' in 'abc' }}", {"d": D}),
    ("membership_int_in_str", "{{ 1 in 'abc' }}", {}),
    ("logic", "{{ 0 or 'x' }} {{ 'a' and 'b' }} [{{ '' and 'b' }}] {{ not [] }} {{ none or [] }} "
     "{{ 'y' if 0 else 'n' }} [{{ 'y' if 0 }}] {{ not 1 == 2 }} {{ not nothing }}", {}),
    ("slicing", "{{ 'abcdef'[::-1] }} {{ l[1:] }} {{ l[-1] }} {{ 'héllo'[1] }} {{ l[::2] }} {{ l[5:0:-2] }} "
     "{{ 'abcdef'[-2:] }} [{{ 'abcdef'[:-7] }}] {{ l[10:] }} {{ 'abc'[1:2] }} {{ l[-100:2] }} {{ l[::-1] }} "
     "{{ u[0] }} {{ u|length }} [{{ l[10] }}] {{ l[-2:-5:-1] }}", {"l": L, "u": "😀é"}),
    ("slice_step_zero", "{{ l[::0] }}", {"l": L}),
    ("attribute_access", "{{ d.b }} {{ d['b'] }} {{ d.get('b') }} {{ d.get('zz', 'dflt') }} {{ d.get('zz') }} "
     "{{ d['items'] }} {{ d.items()|list|length }} [{{ d.zz }}|{{ d['zz'] }}] {{ d.zz is defined }} "
     "[{{ d.b.c }}] {{ d.a[1].x }} [{{ n.foo }}] {{ l.0 }}", {"d": D, "n": None, "l": L}),
    ("undefined_attribute_chain", "{{ d.zz.yy }}", {"d": D}),
    ("undefined_variable_attribute", "{{ undefined_var.x }}", {}),
    ("none_attribute_chain", "{{ n.foo.bar }}", {"n": None}),
    ("list_element_missing", "{{ l[10].a }}", {"l": L}),
    ("undefined_uses", "[{{ nothing }}][{{ nothing|length }}][{{ nothing|default('x') }}][{{ nothing is defined }}]"
     "[{{ nothing ~ 'a' }}][{{ nothing|string }}][{{ nothing|trim }}][{{ nothing|list }}]"
     "[{% for x in nothing %}x{% endfor %}][{{ nothing|upper }}][{{ nothing|join }}][{{ nothing|first }}]", {}),
    ("undefined_add", "{{ nothing + 1 }}", {}),
    ("undefined_tojson", "{{ nothing|tojson }}", {}),
    ("undefined_compare", "{{ nothing < 1 }}", {}),
    ("undefined_call", "{{ nothing() }}", {}),
    ("undefined_method", "{{ d.content.strip() }}", {"d": {}}),
    ("undefined_items", "{{ nothing|items|list }} {{ d.zz|items|list }}", {"d": {}}),
    ("loop_variables", "{% for i in l %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}"
     "{{ loop.first }}{{ loop.last }}{{ loop.length }}[{{ loop.previtem }}|{{ loop.nextitem }}]"
     "{{ loop.cycle('a', 'b') }};{% endfor %}", {"l": [3, 1, 2]}),
    ("loop_filter", "{% for i in l if i > 1 %}{{ loop.index }}/{{ loop.length }}:{{ i }}"
     "{{ loop.last }} {% endfor %}", {"l": [3, 1, 2]}),
    ("loop_else", "{% for i in [] %}x{% else %}empty{% endfor %}|{% for i in [1] %}{{ i }}{% else %}no{% endfor %}", {}),
    ("loop_dict", "{% for k in d %}{{ k }},{% endfor %}|{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}"
     "|{% for k, v in e|dictsort %}{{ k }}{{ v }}{% endfor %}|{% for k, v in e|dictsort(by='value', reverse=true) %}"
     "{{ k }}{% endfor %}", {"d": D, "e": {"b": 1, "A": 3, "a": 2}}),
    ("loop_nested", "{% for i in l %}{% for j in l %}{{ loop.index }}{% endfor %}{{ loop.index }}|{% endfor %}",
     {"l": [1, 2, 3]}),
    ("loop_controls", "{% for i in l %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 4 %}{% break %}{% endif %}"
     "{{ i }}{% endfor %}", {"l": L}),
    ("scoping", "{% set x = 5 %}{% for i in l %}{{ x }}{% set x = i %}{{ x }}|{% endfor %}{{ x }}"
     "{% for i in l %}{% if loop.first %}{% set y = 1 %}{% endif %}[{{ y }}]{% endfor %}"
     "{% set z = 1 %}{% if true %}{% set z = 2 %}{% endif %}{{ z }}{% for q in l %}{% endfor %}[{{ q }}]",
     {"l": [1, 2]}),
    ("unpacking", "{% for a, b in [[1, 2], [3, 4]] %}{{ a }}{{ b }}{% endfor %}{% set c, d = 'xy' %}{{ d }}{{ c }}"
     "{% for (a, b) in [(5, 6)] %}{{ a + b }}{% endfor %}", {}),
    ("unpack_int", "{% for a, b in l %}{% endfor %}", {"l": L}),
    ("unpack_count", "{% set a, b = [1, 2, 3] %}", {}),
    ("iterate_string", "{% for c in 'hé😀' %}[{{ c }}]{% endfor %}", {}),
    ("iterate_none", "{% for x in none %}{% endfor %}", {}),
    ("namespace", "{% set ns = namespace(count=0, items=[]) %}{% for i in l %}{% set ns.count = ns.count + i %}"
     "{% set ns.items = ns.items + [i] %}{% endfor %}{{ ns.count }} {{ ns.items }}"
     "{% set ns2 = namespace() %}{% set ns2.a = 1 %}{{ ns2.a }}{{ ns2.b is defined }}"
     "{% set ns3 = namespace(d) %}{{ ns3.b }}", {"l": [1, 2, 3], "d": {"b": 7}}),
    ("namespace_underscore", "{% set ns = namespace(_x=1) %}", {}),
    ("namespace_underscore_set", "{% set ns = namespace() %}{% set ns._y = 2 %}", {}),
    ("set_attribute_non_namespace", "{% set x = 1 %}{% set x.a = 2 %}", {}),
    ("block_set", "{% set x | upper %} hi {{ 1 }} {% endset %}[{{ x }}]{% set y %}\n  a\n  {% if true %}b"
     "{% endif %}\n{% endset %}[{{ y }}]", {}),
    ("macro_arguments", "{% macro m(a, b=2) %}{{ a }}-{{ b }}{% endmacro %}{{ m(1) }}|{{ m(1, 3) }}|"
     "{{ m(b=5, a=0) }}|{{ m() }}", {}),
    ("macro_varargs", "{% macro m(a) %}{{ a }}{{ varargs|list }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, k='v') }}", {}),
    ("macro_too_many", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(1, 2) }}", {}),
    ("macro_unknown_keyword", "{% macro m(a) %}{{ a }}{% endmacro %}{{ m(b=2) }}", {}),
    ("macro_recursion", "{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(5) }}", {}),
    ("macro_scoping", "{% macro m() %}{{ x }}{% endmacro %}{% set x = 1 %}{{ m() }}{% set y = 1 %}"
     "{% macro n() %}{% set y = 2 %}{{ y }}{% endmacro %}{{ n() }}{{ y }}"
     "{% macro o() %}{% if mi is not defined %}{% set mi = 'D' %}{% endif %}{{ mi }}{% endmacro %}{{ o() }}",
     {"mi": "X"}),
    ("macro_scoping_default", "{% macro o() %}{% if mi is not defined %}{% set mi = 'D' %}{% endif %}{{ mi }}"
     "{% endmacro %}{{ o() }}", {}),
    ("call_block", "{% macro wrap(tag) %}<{{ tag }}>{{ caller() }}</{{ tag }}>{% endmacro %}"
     "{% call wrap('b') %}bold{% endcall %}{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}"
     "{% endmacro %}{% call(x) each([1, 2]) %}[{{ x }}]{% endcall %}", {}),
    ("filter_block", "{% filter upper %}abc {{ 'd' }}{% endfilter %}|{% filter trim|lower %}  X  {% endfilter %}", {}),
    ("with_block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]", {}),
    ("raw_block", "{% raw %}{{ not rendered }} {% if %}{% endraw %}|  {% raw -%}  x  {%- endraw %}", {}),
    ("comments", "a{# comment #}b|a  {#- c -#}  b|x\n  {# c #}\ny", {}),
    ("generation_tag", "{% generation %}x{{ 1 }}{% endgeneration %}", {}),
    ("ws_lstrip_trim", "  {% if true %}\n    x\n  {% endif %}\ny", {}),
    ("ws_dash", "a  {%- if true -%}  b  {%- endif -%}  c|{{- ' a ' -}}  \n  {{ 'b' }}", {}),
    ("ws_for_lines", "line1\n    {% for i in [1, 2] %}\n    {{ i }}\n    {% endfor %}\nend", {}),
    ("ws_variable_no_lstrip", "  {{ 'x' }}\n  {{ 'y' }}", {}),
    ("ws_text_before_tag", "text  {% if true %}x{% endif %}|\t{% if true %}y{% endif %}", {}),
    ("ws_plus", "  {%+ if true %}x{% endif %}|{% if true +%}\nx{% endif %}", {}),
    ("ws_newlines", "a\r\nb\r\n{% if true %}\r\nX{% endif %}\n\n", {}),
    ("ws_comment_line", "a\n  {#- comment #}\nb\n  {# c #}\n  c", {}),
    ("tojson", "{{ d|tojson }}|{{ d|tojson(indent=2) }}|{{ [1.0, 'é', '\\u2028', none, true, 1e20, -0.0, 3]|tojson }}"
     "|{{ 'a\\tb\"c\\\\d\\x00\\x1f'|tojson }}|{{ u|tojson(ensure_ascii=true) }}"
     "|{{ {1: 2, 'x': [], 'y': {}}|tojson(indent=2) }}|{{ d|tojson(separators=(',', ':')) }}"
     "|{{ d|tojson(sort_keys=true) }}|{{ d|tojson(indent='\\t') }}|{{ 1.5|tojson }}", {"d": D, "u": "é😀\u007f"}),
    ("string_filters", "{{ '  x  '|trim }}|{{ 'xxaxx'|trim('x') }}|{{ 42|trim }}|{{ none|trim }}|"
     "{{ ' \u3000x\xa0'|trim }}|{{ 'hello world-foo(bar'|title }}|{{ 'aBC dEF'|capitalize }}|{{ 'ß'|upper }}|"
     "{{ 'aaa'|replace('a', 'b', 2) }}|{{ 'abc'|replace('', '-') }}|{{ '<a href=\"x\">&\\'</a>'|e }}|"
     "[{{ 'ab'|center(7) }}]|{{ \"Hello, world! It's 2025.\"|wordcount }}|{{ '%s is %d'|format('Al', 30) }}|"
     "{{ 1|string }}{{ [1]|string }}|{{ 'ABC'|lower }}", {}),
    ("length_filters", "{{ 'é😀'|length }} {{ d|length }} {{ l|count }} {{ ''|length }}", {"d": D, "l": L}),
    ("sequence_filters", "{{ l|join(', ') }} {{ [1, none]|join }} {{ m|join(',', attribute='role') }} "
     "{{ l|first }} {{ l|last }} {{ 'abc'|first }} {{ d|first }} [{{ []|first }}] {{ 'ab'|list }} {{ d|list }} "
     "{{ d.keys()|list }} {{ e.values()|list }} {{ l|reverse|list }} {{ 'abc'|reverse }} {{ l|sum }} "
     "{{ l|min }} {{ l|max }} {{ ['b', 'A']|max }} {{ m|sum(attribute='n', start=10) }} {{ [0.5, 1]|sum }}",
     {"l": L, "d": D, "e": {"x": 1, "y": [2]}, "m": [{"role": "a", "n": 1}, {"role": "b", "n": 2}]}),
    ("select_filters", "{{ m|selectattr('role', 'equalto', 'user')|map(attribute='content')|join }}|"
     "{{ m|selectattr('tool_calls', 'defined')|list|length }}|{{ m|rejectattr('tool_calls')|map(attribute='role')|list }}|"
     "{{ m|map(attribute='role')|unique|list }}|{{ m|map(attribute='missing', default='-')|list }}|"
     "{{ [3, 1, 2]|sort }}|{{ ['b', 'A', 'a']|sort }}|{{ ['b', 'A', 'a']|sort(case_sensitive=true) }}|"
     "{{ m|sort(attribute='content', reverse=true)|map(attribute='content')|join }}|{{ [1, 0, 2, none]|select|list }}|"
     "{{ [1, 2, 3, 4]|select('odd')|list }}|{{ [1, 2, 3, 4]|reject('divisibleby', 2)|list }}|"
     "{{ ['a', 'b']|map('upper')|list }}|{{ m|selectattr('tool_calls')|map(attribute='tool_calls.0.function.name')|list }}|"
     "{{ ['a', 'A', 'b']|unique(case_sensitive=true)|list }}|{{ m|map(attribute='role')|select('in', ['user', 'User'])|list }}",
     {"m": MSGS}),
    ("default_filters", "{{ none|default('x') }} {{ none|default('x', true) }} {{ ''|d('y', true) }} "
     "{{ 0|default(5) }} {{ nothing|d }}|{{ d.zz|default(d.b) }}", {"d": D}),
    ("number_filters", "{{ '42'|int + 1 }} {{ '4.7'|int }} {{ 'x'|int }} {{ 'x'|int(7) }} {{ 3.9|int }} "
     "{{ '0x1A'|int(0, 16) }} {{ '1.5'|float }} {{ 'x'|float }} {{ 2|float }} {{ true|int }} {{ ' 12 '|int }} "
     "{{ 2.5|round }} {{ 3.5|round }} {{ 2.675|round(2) }} {{ 7|round }} {{ 3.14159|round(2, 'floor') }} "
     "{{ 3.14159|round(1, 'ceil') }} {{ -3|abs }} {{ -2.5|abs }} {{ 1e3|int }}", {}),
    ("indent_filter", "{{ 'a\nb\n\nc'|indent }}|{{ 'a\nb'|indent(2, true) }}|{{ 'a\n\nb'|indent(2, blank=true) }}|"
     "{{ 'x\ny'|indent('>> ', first=true) }}|{{ ''|indent(first=true) }}", {}),
    ("batch_filter", "{% for row in [1, 2, 3, 4, 5]|batch(2, 0) %}{{ row }}{% endfor %}", {}),
    ("unknown_filter", "{{ x|nosuchfilter }}", {}),
    ("unknown_test", "{{ x is nosuchtest }}", {}),
    ("tests", "{{ 1 is integer }}{{ 1.0 is integer }}{{ true is integer }}{{ 1.0 is float }}{{ true is number }}"
     "{{ 'a' is string }}{{ d is mapping }}{{ l is iterable }}{{ 'a' is iterable }}{{ 1 is iterable }}"
     "{{ nothing is iterable }}{{ l is sequence }}{{ none is none }}{{ false is false }}{{ 0 is false }}"
     "{{ true is true }}{{ true is boolean }}{{ 3 is odd }}{{ 4 is even }}{{ 9 is divisibleby 3 }}"
     "{{ 9 is divisibleby(2) }}{{ 'a' is eq 'a' }}{{ 2 is gt 1 }}{{ 2 is lessthan 1 }}{{ 'a' is in 'cat' }}"
     "{{ 'upper' is filter }}{{ 'odd' is test }}{{ 'abc' is lower }}{{ 'ABC' is upper }}{{ none is sameas none }}"
     "{{ nothing is undefined }}{{ d is callable }}{{ range is callable }}{{ d is not mapping }}{{ 2 is ge 2 }}"
     "{{ 1 is ne 2 }}{{ 'x' is equalto 'x' }}{{ l is not string }}", {"d": D, "l": L}),
    ("string_methods", "{{ ' a b '.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ 'ab\n'.rstrip('\n') }}|"
     "{{ '\n\nab'.lstrip() }}|{{ ' a  b '.split() }}|{{ 'a,b,,c'.split(',') }}|{{ 'a,b,c'.split(',', 1) }}|"
     "{{ 'a,b,c'.rsplit(',', 1) }}|{{ 'a b c'.rsplit(none, 1) }}|{{ '</think>x</think>y'.split('</think>')[-1] }}|"
     "{{ 'hello'.startswith('he') }}{{ 'hello'.startswith(('x', 'h')) }}{{ 'hello'.endswith('lo') }}"
     "{{ 'hello'.startswith('l', 2) }}|{{ 'hello'.find('l') }} {{ 'hello'.rfind('l') }} {{ 'hello'.find('z') }} "
     "{{ 'hello'.count('l') }} {{ 'hello'.replace('l', 'L', 1) }} {{ 'hello'.upper() }} {{ 'Hello World'.lower() }} "
     "{{ 'hello world'.title() }} {{ 'hELLO'.capitalize() }} {{ '-'.join(['a', 'b']) }} "
     "{{ 'a{}b{x}c{}'.format(1, 3, x=2) }} {{ '{0}{1}{0}'.format('x', 'y') }} {{ 'ab'.zfill(5) }} {{ 'a b'.partition(' ')[2] }} {{ '123'.isdigit() }} "
     "{{ 'abc'.isalpha() }} {{ '  '.isspace() }} {{ 'a\nb\r\nc'.splitlines() }} {{ 'abc'.index('c') }}", {}),
    ("format_mixed_numbering", "{{ 'a{}b{0}'.format(1) }}", {}),
    ("collection_methods", "{{ l.index(2) }} {{ l.count(1) }} {{ d.get('b', 0) }} {{ d.keys()|list }} "
     "{{ e.items()|list|length }} {{ dict(a=1, b=2) }} {{ dict(d, z=0)|length }}", {"l": L, "d": D, "e": {"k": "v"}}),
    ("list_append_unsafe", "{% set x = [] %}{{ x.append(1) }}", {}),
    ("dict_update_unsafe", "{% set x = {} %}{{ x.update({'a': 1}) }}", {}),
    ("dict_methods_as_values", "{{ d.items is defined }} {{ d.update is defined }} {{ (d.get)('b') }}", {"d": D}),
    ("globals", "{{ range(3)|list }} {{ range(1, 10, 3)|list }} {{ range(5, 0, -2)|list }} {{ range(0)|list }}", {}),
    ("range_too_big", "{{ range(1000000)|length }}", {}),
    ("raise_exception", "{% if true %}{{ raise_exception('Bad thing: ' ~ 1) }}{% endif %}", {}),
    ("strftime_now", "{{ strftime_now('%Y-%m-%d %H:%M:%S|%d %b %Y|%B %-d, %Y|%A %a %j %I%p %y|%e|%%') }}", {}),
    ("syntax_unclosed_if", "line 1\n{% if x %}no end", {}),
    ("syntax_bad_expression", "a\n\n{{ 1 + }}", {}),
    ("syntax_unknown_tag", "{% foo %}", {}),
    ("syntax_stray_end", "x\n{% endfor %}", {}),
    ("syntax_unterminated_string", "{{ 'abc }}", {}),
    ("syntax_unclosed_comment", "a {# b", {}),
    ("syntax_unbalanced", "{{ (1 + 2 }}", {}),
    ("message_equality", "{% for m in msgs %}{{ m == msgs[-1] }}{% endfor %}", {"msgs": MSGS}),
    ("string_concat_adjacent", "{{ 'a' 'b' \"c\" }}", {}),
    ("dict_literal_keys", "{% set t = {0: 'zero', 512: 'k', 'x': 1} %}{{ t[512] }} {{ t[0] }} "
     "{{ t|length }}{% set u = {2: 'b', 1: 'a'} %}{% for k, v in u|dictsort %}{{ k }}{{ v }}{% endfor %}", {}),
    ("dictsort_mixed_keys", "{% for k, v in {0: 'a', 'x': 1}|dictsort %}{% endfor %}", {}),
    ("iterators", "{{ d.items() }}|{{ d.keys() }}|{{ e.values() }}|{{ range(3) }}|{{ range(1, 9, 2) }}|"
     "{{ l|map('string')|list }}|{{ l|select|first }}|{{ d.items()|length }}|{{ 2 in range(3) }}|"
     "{{ l|select('odd')|join(',') }}|{% set y = 'ab'|items %}ok|{{ l|reverse|list }}|{{ d|reverse|list }}|"
     "{{ [1, 2, 3, 4, 5]|batch(2)|list }}|{{ (l|select) is iterable }}{{ d.items() is sequence }}",
     {"d": {"a": 1, "b": [2]}, "e": {"x": "y"}, "l": [1, 2, 3]}),
    ("generator_tojson", "{{ l|select('odd')|tojson }}", {"l": [1, 2, 3]}),
    ("generator_length", "{{ l|select|length }}", {"l": [1, 2, 3]}),
    ("generator_last", "{{ l|map('string')|last }}", {"l": [1, 2, 3]}),
    ("dict_items_tojson", "{{ d.items()|tojson }}", {"d": {"a": 1}}),
    ("items_of_string", "{% for k, v in 'ab'|items %}{% endfor %}", {}),
    ("markup", "{{ '<'|safe + '<' }}|{{ '<' + '>'|safe }}|{{ 'a'|safe ~ '<' }}|{{ '<b>'|e }}|{{ '<'|e|e }}|"
     "{{ ('x'|safe + '&')|upper + '\"' }}|{{ '<'|safe is string }}", {}),
    ("loop_previtem_used", "{% for i in l %}{{ loop.previtem + 1 }}{% endfor %}", {"l": [1, 2]}),
    ("macro_missing_parameter", "{% macro m(a) %}{{ a + 1 }}{% endmacro %}{{ m() }}", {}),
    ("first_of_empty_used", "{{ ([]|first).x }}", {}),
    ("length_of_none", "{{ none|length }}", {}),
    ("length_of_int", "{{ 5|length }}", {}),
    ("namespace_tojson", "{% set ns = namespace(a=1) %}{{ ns|tojson }}", {}),
    ("namespace_print", "{% set ns = namespace(a=1, b='x') %}{{ ns }}", {}),
    ("misc_values", "{{ {1: 'a', 'b': none} }}|[{{ 'abc'[5] }}]|[{{ 'abc'[1.5] }}]|{{ '10' < '9' }}|{{ 3 in d }}|"
     "{{ [1, [2]] in [[1, [2]]] }}|{{ '%s' % none }}|{{ '{}'.format(none) }}|[{{ 1 if none }}]|"
     "{{ d.get('x', none) is none }}|{{ none is defined }}|{{ not x is defined }}|{{ l[-7] is defined }}|"
     "{{ 'abc'|list|join('-') }}|{{ none|d('z') }}|[{{ nothing|default }}]|{{ l[-1] }}", {"d": {"a": 1}, "l": [1, 2]}),
    ("unary_minus_string", "{{ -'a' }}", {}),
    ("floats", "{{ 1e-7 }} {{ 123456.789 }} {{ 1.0e100 }} {{ 5e-324 }} {{ 0.1 * 3 }} {{ 2.0 ** 0.5 }} {{ 7 / 7 }} "
     "{{ 2**62 }} {{ 1e22 + 1 }} {{ 100.0 }} {{ 1.5e16 }} {{ 0.5e-4 }} {{ -1e-5 }} {{ [1e-7, 1e16, 1.5e300, 3.0]|tojson }} "
     "{{ 2.5|int }} {{ -2.5|int }} {{ '1e3'|int }} {{ 1/3*3 }}", {}),
    ("filter_arguments", "{{ 'a'|replace('a', 'b', count=1) }}|{{ \"hello-WORLD's x\"|title }}|{{ 'élan'|capitalize }}|"
     "{{ '%.2f'|format(3.14159) }}|{{ 'Hello %s'|format(none) }}|{{ 'héllo wörld_x 1'|wordcount }}|"
     "{{ {'a': 1}|list }}|{{ [1, 1.0, true]|unique|list }}|{{ ['a', 'B', 'b']|unique|list }}|"
     "{{ m|sort(attribute='n')|map(attribute='role')|join }}|{{ ['a', 'b']|map('replace', 'a', 'x')|list }}|"
     "{{ l|select('equalto', 1)|list }}{{ l|select('==', 2)|list }}{{ l|select('in', [1])|list }}|"
     "{{ m|selectattr('role', 'in', ['b'])|list|length }}{{ m|rejectattr('n', 'gt', 1)|list|length }}|"
     "{{ l|sum(start=0.5) }}|{{ e|dictsort(true)|length }}|{{ m|join(', ', attribute='role') }}",
     {"l": [1, 2], "m": [{"role": "b", "n": 2}, {"role": "a", "n": 1}], "e": {"B": 1, "a": 2}}),
    ("sort_mixed", "{{ [3, 'a']|sort }}", {}),
    ("strftime_more", "{{ strftime_now('%c|%x|%X|%D|%F|%T|%p|%H:%M|%I %p|%u %w') }}", {}),
    ("conditional_chain", "{{ 'a' if x == 1 else 'b' if x == 2 else 'c' }}", {"x": 2}),
]


def render_semantics():
    results = []
    for name, template, variables in SEMANTICS:
        entry = {"name": name, "template": template, "variables": variables}
        try:
            compiled = _compile_jinja_template(template)
            compiled.environment.globals["strftime_now"] = lambda fmt: FIXED_NOW.strftime(fmt)
            entry["output"] = compiled.render(**variables)
        except jinja2.TemplateSyntaxError as e:
            entry["error"] = {"type": type(e).__name__, "message": e.message, "line": e.lineno}
        except Exception as e:
            entry["error"] = {"type": type(e).__name__, "message": str(e)}
        results.append(entry)
    return results


def main():
    if transformers.__version__ != "5.24.0" or jinja2.__version__ != "3.1.6":
        sys.exit(f"need transformers 5.24.0 and jinja2 3.1.6, found {transformers.__version__} / {jinja2.__version__}")
    os.makedirs(os.path.join(OUT, "templates"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "expected"), exist_ok=True)
    names = sorted(f[:-6] for f in os.listdir(SHARED) if f.endswith(".jinja"))
    missing = set(names) ^ set(SPECIAL_TOKENS)
    if missing:
        sys.exit(f"special tokens missing or stale for: {sorted(missing)}")
    with open(os.path.join(OUT, "scenarios.json"), "w", encoding="utf-8") as f:
        json.dump({"now": FIXED_NOW.isoformat() + "Z", "special_tokens": SPECIAL_TOKENS,
                   "template_kwargs": TEMPLATE_KWARGS, "scenarios": SCENARIOS}, f, ensure_ascii=False, indent=1)
    for name in names:
        shutil.copyfile(os.path.join(SHARED, name + ".jinja"), os.path.join(OUT, "templates", name + ".jinja"))
        with open(os.path.join(SHARED, name + ".jinja"), encoding="utf-8", newline="") as f:
            template = f.read()
        results = {scenario: render(template, name, data) for scenario, data in SCENARIOS.items()}
        with open(os.path.join(OUT, "expected", name + ".json"), "w", encoding="utf-8") as f:
            json.dump(results, f, ensure_ascii=False, indent=1)
        errors = sum("error" in r for r in results.values())
        print(f"{name}: {len(results) - errors} rendered, {errors} raised")
    with open(os.path.join(OUT, "semantics.json"), "w", encoding="utf-8") as f:
        json.dump({"now": FIXED_NOW.isoformat() + "Z", "cases": render_semantics()}, f, ensure_ascii=False, indent=1)
    print(f"semantics: {len(SEMANTICS)} cases")


if __name__ == "__main__":
    main()
