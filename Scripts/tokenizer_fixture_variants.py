"""The component variants of synthetic.json (see make_tokenizer_fixtures.py): small BPE
tokenizers trained with HF `tokenizers` on the corpus, combined with every normalizer,
pre-tokenizer, post-processor and decoder option, and HF's ids and decodings for them."""
import json

GPT2_REGEX = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3_REGEX = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_REGEX = LLAMA3_REGEX.replace(r"\p{N}{1,3}", r"\p{N}")

DEEPSEEK_LLM_REGEXES = [
    "[\r\n]",
    "\\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-\u1f7dᾀ-ᾴᾶ-ᾼ\u1fbeῂ-ῄῆ-ῌῐ-\u1fd3ῖ-\u1fdbῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤ\u2126ℨ\u212a-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+",
    "\\s?[!-/:-~！-／：-～‘-‟　-。]+",
    "\\s+$",
    "[一-龥ࠀ-一가-퟿]+",
    "\\p{N}+",
]
DEEPSEEK_CODER_REGEXES = ["[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[一-龥ࠀ-一가-퟿]+", "\\p{N}"]


def affix_bpe(texts, merges_count=150):
    """A BPE model with `continuing_subword_prefix` "##" and `end_of_word_suffix` "</w>",
    learned here by plain pair counting (HF's trainer breaks ties at random for these)."""
    import collections
    import re

    words = collections.Counter(w for t in texts for w in re.findall(r"\w+|[^\w\s]+", t))

    def symbols(word):
        out = [c if i == 0 else "##" + c for i, c in enumerate(word)]
        out[-1] += "</w>"
        return out

    split = {w: symbols(w) for w in words}
    vocab = {"<unk>": 0}
    for sym in sorted({s for syms in split.values() for s in syms}):
        vocab[sym] = len(vocab)
    merges = []
    for _ in range(merges_count):
        pairs = collections.Counter()
        for w, syms in split.items():
            for a, b in zip(syms, syms[1:]):
                pairs[(a, b)] += words[w]
        if not pairs:
            break
        (a, b), _ = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))
        merged = a + b[2:]
        merges.append([a, b])
        vocab.setdefault(merged, len(vocab))
        for w, syms in split.items():
            out, i = [], 0
            while i < len(syms):
                if i + 1 < len(syms) and syms[i] == a and syms[i + 1] == b:
                    out.append(merged)
                    i += 2
                else:
                    out.append(syms[i])
                    i += 1
            split[w] = out
    model = {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": "##",
             "end_of_word_suffix": "</w>", "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
             "vocab": vocab, "merges": merges}
    return {"version": "1.0", "truncation": None, "padding": None,
            "added_tokens": [{"id": 0, "content": "<unk>", "single_word": False, "lstrip": False, "rstrip": False,
                              "normalized": False, "special": True}],
            "normalizer": None, "pre_tokenizer": None, "post_processor": None, "decoder": None, "model": model}


def synthetic(corpus):
    """Small BPE tokenizers trained here on the corpus with HF `tokenizers` (byte-level; a
    SentencePiece-style one with byte fallback; one with subword affixes), combined with the
    component variants real tokenizers use, and HF's ids and decodings for them."""
    import tokenizers
    from tokenizers import models, pre_tokenizers, trainers

    def train(model, pre, trainer, texts=corpus):
        tok = tokenizers.Tokenizer(model)
        tok.pre_tokenizer = pre
        tok.train_from_iterator(texts, trainer=trainer)
        return json.loads(tok.to_str())

    # Trained on the Latin-script strings only, so that other characters are missing from the
    # vocabulary and take the byte-fallback / unknown paths (limit_alphabet would break ties
    # between equally frequent characters at random).
    latin = [t for t in corpus if all(ord(c) < 0x250 for c in t)]

    byte_base = train(models.BPE(), pre_tokenizers.ByteLevel(add_prefix_space=False),
                      trainers.BpeTrainer(vocab_size=600, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                          special_tokens=["<bos>", "<eos>"], show_progress=False))
    spm_base = train(models.BPE(unk_token="<unk>", byte_fallback=True, fuse_unk=True),
                     pre_tokenizers.Metaspace(),
                     trainers.BpeTrainer(vocab_size=700, special_tokens=["<unk>", "<s>", "</s>"], show_progress=False),
                     latin)
    # SentencePiece vocabularies hold the 256 byte tokens.
    vocab = spm_base["model"]["vocab"]
    for byte in range(256):
        vocab.setdefault(f"<0x{byte:02X}>", len(vocab))
    affix_base = affix_bpe(latin)
    bases = {"byte": byte_base, "spm": spm_base, "affix": affix_base}

    def split(regex, behavior="Isolated", invert=False, literal=None):
        pattern = {"String": literal} if literal is not None else {"Regex": regex}
        return {"type": "Split", "pattern": pattern, "behavior": behavior, "invert": invert}

    def byte_level(prefix=False, use_regex=False):
        return {"type": "ByteLevel", "add_prefix_space": prefix, "trim_offsets": True, "use_regex": use_regex}

    def seq(*items):
        return {"type": "Sequence", "pretokenizers": list(items)}

    def norms(*items):
        return {"type": "Sequence", "normalizers": list(items)}

    def decs(*items):
        return {"type": "Sequence", "decoders": list(items)}

    def metaspace(scheme="always", split_=True):
        return {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": scheme, "split": split_}

    def replace(pattern, content, regex=False):
        return {"type": "Replace", "pattern": {"Regex" if regex else "String": pattern}, "content": content}

    def added(content, id_, **flags):
        token = {"id": id_, "content": content, "single_word": False, "lstrip": False, "rstrip": False,
                 "normalized": False, "special": False}
        token.update(flags)
        return token

    def template(bos, eos, bos_id, eos_id):
        single = [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]
        tokens = {bos: {"id": bos, "ids": [bos_id], "tokens": [bos]}}
        if eos is not None:
            single.append({"SpecialToken": {"id": eos, "type_id": 0}})
            tokens[eos] = {"id": eos, "ids": [eos_id], "tokens": [eos]}
        return {"type": "TemplateProcessing", "single": single,
                "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": tokens}

    bv = byte_base["model"]["vocab"]
    bos, eos, size = bv["<bos>"], bv["<eos>"], len(bv)
    sv = spm_base["model"]["vocab"]
    byte_decoder = {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}
    llama_decoder = decs(replace("\u2581", " "), {"type": "ByteFallback"}, {"type": "Fuse"},
                         {"type": "Strip", "content": " ", "start": 1, "stop": 0})
    roberta = {"type": "RobertaProcessing", "sep": ["<eos>", eos], "cls": ["<bos>", bos],
               "trim_offsets": True, "add_prefix_space": True}
    bert = {"type": "BertProcessing", "sep": ["<eos>", eos], "cls": ["<bos>", bos]}
    spm_tokens = [added("<s>", sv["<s>"], special=True), added("</s>", sv["</s>"], special=True),
                  added("<unk>", sv["<unk>"], special=True)]
    # (name, base, normalizer, pre_tokenizer, post_processor, decoder, model overrides, extra added tokens)
    V = [
        ("gpt2-removed", "byte", None, seq(split(GPT2_REGEX, "Removed"), byte_level()), None, byte_decoder, {}, []),
        ("llama3-merged-previous", "byte", None, seq(split(LLAMA3_REGEX, "MergedWithPrevious"), byte_level()),
         None, byte_decoder, {}, []),
        ("qwen2-merged-next-inverted", "byte", None, seq(split(QWEN2_REGEX, "MergedWithNext", invert=True),
                                                         byte_level()), None, byte_decoder, {}, []),
        ("literal-contiguous-prefix-space", "byte", None,
         seq(split(None, "Contiguous", literal=" "), byte_level(True, True)), None, byte_decoder, {}, []),
        ("digits-runs-prefix-space", "byte", None,
         seq({"type": "Digits", "individual_digits": False}, byte_level(True, True)), None, byte_decoder, {}, []),
        ("gpt2-bytelevel-roberta", "byte", None, byte_level(True, True), roberta, byte_decoder, {}, []),
        ("bert-processing-no-decoder", "byte", None, byte_level(False, True), bert, None, {}, []),
        ("llama3-nfc-added-template", "byte", {"type": "NFC"}, seq(split(LLAMA3_REGEX), byte_level()),
         template("<bos>", "<eos>", bos, eos), byte_decoder,
         {}, [added("<sp>", size, special=True, lstrip=True, rstrip=True),
              added("word", size + 1, single_word=True),
              added("\u00e9t\u00e9", size + 2, normalized=True),
              added("<sp2>", size + 3, special=True)]),
        ("nfkc-lowercase-ignore-merges", "byte", norms({"type": "NFKC"}, {"type": "Lowercase"}),
         seq(split(LLAMA3_REGEX), byte_level()), None, byte_decoder, {"ignore_merges": True}, []),
        ("nfd-strip-accents-strip", "byte",
         norms({"type": "NFD"}, {"type": "StripAccents"}, {"type": "Strip", "strip_left": True, "strip_right": True}),
         byte_level(False, True), None, byte_decoder, {}, []),
        ("nfkd-replace-prepend", "byte",
         norms({"type": "NFKD"}, replace(" {2,}", " ", regex=True), replace("a", "A"), {"type": "Prepend", "prepend": "^"}),
         byte_level(False, True), None, decs(byte_decoder, {"type": "Strip", "content": "^", "start": 1, "stop": 0}),
         {}, []),
        ("punctuation-whitespace", "byte", None,
         seq({"type": "Punctuation", "behavior": "Contiguous"}, {"type": "Whitespace"}, byte_level()), None,
         byte_decoder, {}, []),
        ("punctuation-merged-whitespace-split", "byte", None,
         seq({"type": "WhitespaceSplit"}, {"type": "Punctuation", "behavior": "MergedWithPrevious"}, byte_level()),
         None, byte_decoder, {}, []),
        ("bert-pre-tokenizer", "byte", None, seq({"type": "BertPreTokenizer"}, byte_level()), None,
         byte_decoder, {}, []),
        ("deepseek-llm-splits", "byte", None, seq(*[split(r) for r in DEEPSEEK_LLM_REGEXES], byte_level()), None,
         byte_decoder, {}, []),
        ("deepseek-coder-splits", "byte", None, seq(*[split(r) for r in DEEPSEEK_CODER_REGEXES], byte_level()),
         None, byte_decoder, {}, []),
        ("spm-metaspace-first", "spm", None, metaspace("first", False), template("<s>", None, sv["<s>"], 0),
         llama_decoder, {}, spm_tokens),
        ("spm-legacy-normalizer", "spm", norms({"type": "Prepend", "prepend": "\u2581"}, replace(" ", "\u2581")),
         None, template("<s>", "</s>", sv["<s>"], sv["</s>"]), llama_decoder, {}, spm_tokens),
        ("spm-metaspace-always-split", "spm", None, metaspace("always", True), None,
         {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True}, {}, spm_tokens),
        ("spm-metaspace-never", "spm", None, metaspace("never", False), None,
         {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "never", "split": True}, {}, spm_tokens),
        ("spm-unknown-fused", "spm", None, metaspace("first", False), None, llama_decoder,
         {"byte_fallback": False, "fuse_unk": True}, spm_tokens),
        ("spm-unknown-unfused", "spm", None, metaspace("first", False), None, llama_decoder,
         {"byte_fallback": False, "fuse_unk": False}, spm_tokens),
        ("affix-whitespace-no-decoder", "affix", None, {"type": "Whitespace"}, None, None, {}, []),
    ]
    texts = corpus[:40] + corpus[200:225] + [
        "a <sp>  b", "x<sp><sp> y", " <sp>", "<sp>", "a\u00a0<sp>\u3000b", "word words sword word_ word.",
        "été ete\u0301te\u0301 \u00e9t\u00e9", "<sp2> <sp2>x", "12 345 6789", "  multiple   spaces  ",
        "a1b22c333 4444", "<s>Hello</s> <s> x", "ＡＢＣ ﬁ ½ Ⅻ", "MiXeD CaSe ΣΑΣ", "  \t lead and trail \n ",
        "a  b   c", "\u2581x \u2581\u2581y", "you'll «x» [y] {z} $5 + 3", "<0x41><unk>", "(「日本」)！"]
    out = []
    for name, base, normalizer, pre, post, decoder, model, extra in V:
        spec = json.loads(json.dumps(bases[base]))
        spec["normalizer"], spec["pre_tokenizer"], spec["post_processor"], spec["decoder"] = normalizer, pre, post, decoder
        spec["model"].update(model)
        spec["added_tokens"] = spec["added_tokens"] + extra
        tok = tokenizers.Tokenizer.from_str(json.dumps(spec, ensure_ascii=True))
        cases = []
        for t in texts:
            ids = tok.encode(t, add_special_tokens=True).ids
            cases.append({"text": t, "ids": ids, "plain": tok.encode(t, add_special_tokens=False).ids,
                          "decoded": tok.decode(ids, skip_special_tokens=False),
                          "skipped": tok.decode(ids, skip_special_tokens=True)})
        out.append({"name": name, "base": base, "normalizer": normalizer, "pre_tokenizer": pre,
                    "post_processor": post, "decoder": decoder, "model": model, "extra_added_tokens": extra,
                    "cases": cases})
    return {"bases": bases}, out
