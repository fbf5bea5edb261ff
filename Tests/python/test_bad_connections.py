"""Bad input that only a real socket can send, and a port the server cannot take."""
import socket
import subprocess

from conftest import BINARY, MODEL


def raw_request(port: int, data: bytes) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(data)
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    return reply.decode("latin-1")


def test_malformed_chunked_body_is_a_client_error(server):
    head = (f"POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    reply = raw_request(server.port, head.encode() + b"ZZZ\r\n{}\r\n0\r\n\r\n")
    assert reply.startswith("HTTP/1.1 400"), reply
    assert "\r\nconnection: close\r\n" in reply.lower(), reply
    # The server still answers.
    assert raw_request(server.port, b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n").startswith("HTTP/1.1 200")


def test_port_in_use_names_the_address(server):
    result = subprocess.run([str(BINARY), "serve", "--model", str(MODEL), "--device", "cpu", "--threads", "1",
                             "--port", str(server.port)], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert f"cannot listen on 127.0.0.1:{server.port}: Address already in use" in result.stderr, result.stderr
