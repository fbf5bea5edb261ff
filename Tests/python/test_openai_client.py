"""`swiftllm serve` driven by the official OpenAI Python client: completions and chat,
streamed and not, n, stop, logprobs and usage; greedy text equals the engine's offline
result for the same request; errors are the client's typed exceptions; SIGTERM lets a
stream in flight finish and exits 0."""
import signal
import threading

import openai
import pytest

from conftest import MODEL_NAME, Server, offline

PROMPT = "The capital of France is"
QUESTION = "What is the capital of France?"


@pytest.fixture(scope="module")
def client(server):
    return openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0)


@pytest.fixture(scope="module")
def greedy_completion():
    return offline("generate", "--prompt", PROMPT, "--max-tokens", "16")


@pytest.fixture(scope="module")
def greedy_chat():
    return offline("chat", "--max-tokens", "24", stdin=QUESTION + "\n")


def test_models(client):
    assert [model.id for model in client.models.list()] == [MODEL_NAME]


def test_completion_equals_offline(client, greedy_completion):
    response = client.completions.create(model=MODEL_NAME, prompt=PROMPT, max_tokens=16, temperature=0)
    assert response.object == "text_completion"
    assert response.id.startswith("cmpl-")
    assert response.system_fingerprint.startswith("fp_")
    assert response.choices[0].text == greedy_completion
    assert response.choices[0].finish_reason in ("stop", "length")
    assert response.usage.completion_tokens <= 16
    assert response.usage.total_tokens == response.usage.prompt_tokens + response.usage.completion_tokens


def test_completion_stream_equals_offline(client, greedy_completion):
    chunks = list(client.completions.create(model=MODEL_NAME, prompt=PROMPT, max_tokens=16, temperature=0, stream=True,
                                            stream_options={"include_usage": True}))
    assert "".join(chunk.choices[0].text for chunk in chunks if chunk.choices) == greedy_completion
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0
    assert chunks[-2].choices[0].finish_reason in ("stop", "length")


def test_chat_equals_offline(client, greedy_chat):
    messages = [{"role": "user", "content": QUESTION}]
    response = client.chat.completions.create(model=MODEL_NAME, messages=messages, max_tokens=24, temperature=0)
    assert response.object == "chat.completion"
    assert response.choices[0].message.role == "assistant"
    assert response.choices[0].message.content == greedy_chat
    stream = client.chat.completions.create(model=MODEL_NAME, messages=messages, max_tokens=24, temperature=0, stream=True,
                                            stream_options={"include_usage": True})
    chunks = list(stream)
    assert chunks[0].choices[0].delta.role == "assistant"
    assert "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices) == greedy_chat
    assert chunks[-1].usage.completion_tokens == response.usage.completion_tokens
    assert chunks[-1].usage.prompt_tokens == response.usage.prompt_tokens


def test_n_with_seed(client):
    def run():
        response = client.completions.create(model=MODEL_NAME, prompt=PROMPT, max_tokens=12, temperature=0.9, n=3, seed=11)
        return [choice.text for choice in sorted(response.choices, key=lambda c: c.index)]

    first = run()
    assert len(first) == 3 and len(set(first)) > 1, first
    assert run() == first


def test_stop(client, greedy_completion):
    words = greedy_completion.split(" ")
    stop = " " + words[3]
    expected = greedy_completion[: greedy_completion.index(stop)]
    response = client.completions.create(model=MODEL_NAME, prompt=PROMPT, max_tokens=16, temperature=0, stop=[stop])
    assert response.choices[0].text == expected
    assert response.choices[0].finish_reason == "stop"


def test_logprobs(client, greedy_completion):
    response = client.completions.create(model=MODEL_NAME, prompt=PROMPT, max_tokens=16, temperature=0, logprobs=3)
    logprobs = response.choices[0].logprobs
    assert "".join(logprobs.tokens) == greedy_completion
    assert all(len(top) == 3 for top in logprobs.top_logprobs)
    # Greedy picks the most likely token.
    assert all(max(top.values()) == pytest.approx(chosen, abs=1e-5) for top, chosen in zip(logprobs.top_logprobs, logprobs.token_logprobs))
    chat = client.chat.completions.create(model=MODEL_NAME, messages=[{"role": "user", "content": QUESTION}], max_tokens=8,
                                          temperature=0, logprobs=True, top_logprobs=2)
    content = chat.choices[0].logprobs.content
    assert "".join(entry.token for entry in content) == chat.choices[0].message.content
    assert all(len(entry.top_logprobs) == 2 and entry.top_logprobs[0].token == entry.token for entry in content)


def test_errors(client):
    with pytest.raises(openai.BadRequestError, match="max_tokens"):
        client.completions.create(model=MODEL_NAME, prompt=PROMPT, max_tokens=-1)
    with pytest.raises(openai.NotFoundError, match="does not exist"):
        client.completions.create(model="gpt-4", prompt=PROMPT)
    with pytest.raises(openai.BadRequestError, match="role"):
        client.chat.completions.create(model=MODEL_NAME, messages=[{"role": "wizard", "content": "hi"}])
    with pytest.raises(openai.BadRequestError, match="maximum context length"):
        client.completions.create(model=MODEL_NAME, prompt=PROMPT, max_tokens=10**9)
    # Still serving.
    assert client.completions.create(model=MODEL_NAME, prompt=PROMPT, max_tokens=2).choices[0].text


def test_api_key():
    server = Server("--api-key", "sekret")
    try:
        with pytest.raises(openai.AuthenticationError):
            openai.OpenAI(base_url=server.url + "/v1", api_key="wrong", max_retries=0).models.list()
        keyed = openai.OpenAI(base_url=server.url + "/v1", api_key="sekret", max_retries=0)
        assert [model.id for model in keyed.models.list()] == [MODEL_NAME]
    finally:
        assert server.stop() == 0


def test_sigterm_finishes_streams_in_flight():
    # A grace period no loaded CI machine reaches: the stream must finish, not be cut.
    server = Server("--shutdown-grace-seconds", "300")
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0)
    started, pieces = threading.Event(), []

    def stream():
        for chunk in client.completions.create(model=MODEL_NAME, prompt=PROMPT, max_tokens=100, temperature=0, stream=True,
                                               extra_body={"ignore_eos": True}):
            pieces.append(chunk.choices[0])
            started.set()

    worker = threading.Thread(target=stream)
    worker.start()
    assert started.wait(30)
    server.process.send_signal(signal.SIGTERM)
    worker.join(300)
    assert server.process.wait(timeout=300) == 0
    assert len(pieces) == 100 and pieces[-1].finish_reason == "length"


def test_sigterm_cancels_after_the_grace_period():
    server = Server("--shutdown-grace-seconds", "1")
    client = openai.OpenAI(base_url=server.url + "/v1", api_key="unused", max_retries=0)
    started, pieces, failure = threading.Event(), [], []

    def stream():
        try:
            for chunk in client.completions.create(model=MODEL_NAME, prompt=PROMPT, max_tokens=8000, temperature=0, stream=True,
                                                   extra_body={"ignore_eos": True}):
                pieces.append(chunk)
                started.set()
        except Exception as error:  # the connection closes under the stream
            failure.append(error)

    worker = threading.Thread(target=stream)
    worker.start()
    assert started.wait(30)
    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(timeout=30) == 0
    worker.join(30)
    assert len(pieces) < 8000
