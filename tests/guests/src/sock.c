/* sock.exe: Windows Sockets 1.1 through WSOCK32.dll, over the loopback network only, so it
 * runs the same with or without a network: WSAStartup's WSADATA and its errors, byte
 * order, inet_addr and inet_ntoa, gethostname, gethostbyname, gethostbyaddr, the services
 * and protocols databases, socket's errors, a TCP server and client in one thread with
 * non-blocking sockets and select, the same with blocking calls and two threads, UDP
 * datagrams, shutdown and close, WSACleanup. One line per check ("name: value"); expected
 * values in expected/sock.expected (NT 4.0's), Wine's in expected/sock.wine.
 *
 * "sock.exe unreachable" only connects to 192.0.2.1 (TEST-NET-1) and prints the result and
 * whether it came at once: with ntemu's network off it must fail with WSAENETUNREACH
 * without a packet leaving. */
#include <winsock.h>
#include "guest.h"

static void check_i(const char *name, long value)
{
    put(name); put(": "); put_i(value); put("\n");
}

static void check_s(const char *name, const char *value)
{
    put(name); put(": \""); put(value ? value : "(null)"); put("\"\n");
}

/* "name: result error" for a call that returns SOCKET_ERROR (-1) or INVALID_SOCKET. */
static void check_err(const char *name, long result)
{
    put(name); put(": "); put_i(result); put(" "); put_u(WSAGetLastError()); put("\n");
}

static int equal(const char *a, const char *b)
{
    while (*a && *a == *b) { a++; b++; }
    return *a == *b;
}


static struct sockaddr_in loopback(unsigned short port)
{
    struct sockaddr_in a;
    int i;
    for (i = 0; i < (int)sizeof a; i++) ((char *)&a)[i] = 0;
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = inet_addr("127.0.0.1");
    return a;
}

/* A listening TCP socket on 127.0.0.1 and its port. */
static SOCKET listener(unsigned short *port)
{
    struct sockaddr_in a = loopback(0);
    int len = sizeof a;
    SOCKET s = socket(AF_INET, SOCK_STREAM, 0);
    bind(s, (struct sockaddr *)&a, sizeof a);
    getsockname(s, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    listen(s, 5);
    return s;
}

/* Waits up to `ms` for `s` to be ready for reading (w = 0) or writing (w = 1). */
static int wait_for(SOCKET s, int w, long ms)
{
    fd_set set;
    struct timeval tv;
    FD_ZERO(&set);
    FD_SET(s, &set);
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    return select(0, w ? NULL : &set, w ? &set : NULL, NULL, &tv);
}

static void startup(void)
{
    WSADATA d;
    check_i("WSAStartup(0.0)", WSAStartup(0x0000, &d));
    check_i("WSAStartup(2.2)", WSAStartup(0x0202, &d));
    check_i("2.2 wVersion", d.wVersion);
    check_i("2.2 wHighVersion", d.wHighVersion);
    check_i("2.2 iMaxSockets", d.iMaxSockets);
    check_i("2.2 iMaxUdpDg", d.iMaxUdpDg);
    check_i("WSACleanup(2.2)", WSACleanup());
    check_err("WSACleanup(none)", WSACleanup());
    check_err("socket(not started)", (long)socket(AF_INET, SOCK_STREAM, 0));
    check_i("WSAStartup(1.1)", WSAStartup(0x0101, &d));
    check_i("wVersion", d.wVersion);
    check_i("wHighVersion", d.wHighVersion);
    check_s("szDescription", d.szDescription);
    check_s("szSystemStatus", d.szSystemStatus);
    check_i("iMaxSockets", d.iMaxSockets);
    check_i("iMaxUdpDg", d.iMaxUdpDg);
    check_i("lpVendorInfo", (long)d.lpVendorInfo);
    WSASetLastError(12345);
    check_i("WSASetLastError/WSAGetLastError", WSAGetLastError());
    check_i("GetLastError too", GetLastError());
}

static void conversions(void)
{
    struct in_addr in;
    char *p, *q;
    check_i("htons(0x1234)", htons(0x1234));
    check_i("ntohs(0x3412)", ntohs(0x3412));
    check_i("htonl(0x12345678) == 0x78563412", htonl(0x12345678) == 0x78563412);
    check_i("ntohl(htonl(7))", ntohl(htonl(7)));
    check_i("inet_addr(127.0.0.1) == 0x0100007f", inet_addr("127.0.0.1") == 0x0100007f);
    check_i("inet_addr(10.1) == 0x0100000a", inet_addr("10.1") == 0x0100000a);
    check_i("inet_addr(1.2.3) == 0x03000201", inet_addr("1.2.3") == 0x03000201);
    check_i("inet_addr(0x7f.1) == 0x0100007f", inet_addr("0x7f.1") == 0x0100007f);
    check_i("inet_addr(1.2.3.256) == INADDR_NONE", inet_addr("1.2.3.256") == INADDR_NONE);
    check_i("inet_addr(1.2.3.4.5) == INADDR_NONE", inet_addr("1.2.3.4.5") == INADDR_NONE);
    check_i("inet_addr(abc) == INADDR_NONE", inet_addr("abc") == INADDR_NONE);
    check_i("inet_addr(255.255.255.255) == INADDR_NONE", inet_addr("255.255.255.255") == INADDR_NONE);
    check_i("inet_addr(empty)", (long)inet_addr(""));
    in.s_addr = inet_addr("192.168.1.20");
    p = inet_ntoa(in);
    check_s("inet_ntoa(192.168.1.20)", p);
    in.s_addr = htonl(0x7f000001);
    q = inet_ntoa(in);
    check_s("inet_ntoa(0x7f000001)", q);
    check_i("inet_ntoa reuses its buffer", p == q);
}

static void names(void)
{
    char name[256];
    struct hostent *h;
    struct servent *sv;
    struct protoent *pr;
    unsigned long lo = inet_addr("127.0.0.1");

    check_i("gethostname", gethostname(name, sizeof name));
    check_s("hostname", name);
    check_err("gethostname(1-byte buffer)", gethostname(name, 1));

    h = gethostbyname("localhost");
    check_i("gethostbyname(localhost) != NULL", h != NULL);
    if (h) {
        check_i("h_addrtype", h->h_addrtype);
        check_i("h_length", h->h_length);
        check_i("first address is 127.0.0.1", *(unsigned long *)h->h_addr_list[0] == lo);
        check_i("same HOSTENT on the next call", gethostbyname("localhost") == h);
    }
    h = gethostbyname("127.0.0.1");
    check_i("gethostbyname(127.0.0.1) != NULL", h != NULL);
    if (h) {
        check_s("h_name of 127.0.0.1", h->h_name);
        check_i("its address", *(unsigned long *)h->h_addr_list[0] == lo);
        check_i("one address", h->h_addr_list[1] == NULL);
    }
    h = gethostbyaddr((char *)&lo, 4, AF_INET);
    check_i("gethostbyaddr(127.0.0.1) != NULL", h != NULL);
    check_err("gethostbyaddr(AF_UNIX)", (long)gethostbyaddr((char *)&lo, 4, 1));

    sv = getservbyname("http", "tcp");
    check_i("getservbyname(http,tcp) != NULL", sv != NULL);
    if (sv) {
        check_i("s_port", ntohs(sv->s_port));
        check_s("s_proto", sv->s_proto);
    }
    sv = getservbyport(htons(21), "tcp");
    check_s("getservbyport(21,tcp)", sv ? sv->s_name : NULL);
    sv = getservbyname("smtp", NULL);
    check_i("getservbyname(smtp) port", sv ? ntohs(sv->s_port) : -1);
    sv = getservbyname("no-such-service", "tcp");
    check_i("getservbyname(no-such-service)", sv != NULL);
    pr = getprotobyname("udp");
    check_i("getprotobyname(udp)", pr ? pr->p_proto : -1);
    pr = getprotobynumber(6);
    check_s("getprotobynumber(6)", pr ? pr->p_name : NULL);
}

static void socket_errors(void)
{
    SOCKET s;
    struct sockaddr_in a;
    int len = sizeof a;
    HANDLE event = CreateEventA(NULL, FALSE, FALSE, NULL);

    check_err("socket(AF_UNIX)", (long)socket(1, SOCK_STREAM, 0));
    check_err("socket(type 99)", (long)socket(AF_INET, 99, 0));
    check_err("socket(STREAM, IPPROTO_UDP)", (long)socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
    s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    check_i("socket(STREAM, IPPROTO_TCP) valid", s != INVALID_SOCKET);
    check_err("getsockname(unbound)", getsockname(s, (struct sockaddr *)&a, &len));
    check_err("getpeername(unconnected)", getpeername(s, (struct sockaddr *)&a, &len));
    check_err("listen(unbound)", listen(s, 5));
    check_err("recv(unconnected)", recv(s, (char *)&a, 4, 0));
    check_err("send(unconnected)", send(s, "x", 1, 0));
    a = loopback(0);
    check_err("bind(namelen 8)", bind(s, (struct sockaddr *)&a, 8));
    a.sin_addr.s_addr = inet_addr("192.0.2.1");
    check_err("bind(192.0.2.1, not this machine's)", bind(s, (struct sockaddr *)&a, sizeof a));
    a = loopback(0);
    check_i("bind(127.0.0.1:0)", bind(s, (struct sockaddr *)&a, sizeof a));
    check_err("bind again", bind(s, (struct sockaddr *)&a, sizeof a));
    len = sizeof a;
    check_i("getsockname", getsockname(s, (struct sockaddr *)&a, &len));
    check_i("  len", len);
    check_i("  family", a.sin_family);
    check_i("  is 127.0.0.1", a.sin_addr.s_addr == inet_addr("127.0.0.1"));
    check_i("  port picked", a.sin_port != 0);
    len = 8;
    check_err("getsockname(namelen 8)", getsockname(s, (struct sockaddr *)&a, &len));
    check_err("ioctlsocket(bad command)", ioctlsocket(s, 0x12345678, (u_long *)&len));
    check_err("shutdown(how 7)", shutdown(s, 7));
    check_err("setsockopt(level 12345)", setsockopt(s, 12345, 1, (char *)&len, 4));
    check_err("closesocket(event handle)", closesocket((SOCKET)event));
    check_err("closesocket(0x12340)", closesocket((SOCKET)0x12340));
    check_i("closesocket", closesocket(s));
    check_err("closesocket again", closesocket(s));
    check_err("send(closed)", send(s, "x", 1, 0));
    CloseHandle(event);
}

static void options(void)
{
    SOCKET s = socket(AF_INET, SOCK_STREAM, 0);
    int v = 0, len = sizeof v;
    struct linger lg;
    check_i("getsockopt(SO_TYPE)", getsockopt(s, SOL_SOCKET, SO_TYPE, (char *)&v, &len));
    check_i("  SO_TYPE", v);
    check_i("  optlen", len);
    len = sizeof v;
    getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, (char *)&v, &len);
    check_i("SO_ACCEPTCONN", v);
    len = sizeof v;
    getsockopt(s, SOL_SOCKET, SO_REUSEADDR, (char *)&v, &len);
    check_i("SO_REUSEADDR (default)", v);
    v = 1;
    check_i("setsockopt(SO_REUSEADDR)", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, (char *)&v, sizeof v));
    v = 0; len = sizeof v;
    getsockopt(s, SOL_SOCKET, SO_REUSEADDR, (char *)&v, &len);
    check_i("SO_REUSEADDR (set)", v != 0);
    v = 1;
    check_i("setsockopt(SO_KEEPALIVE)", setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (char *)&v, sizeof v));
    v = 0; len = sizeof v;
    getsockopt(s, SOL_SOCKET, SO_KEEPALIVE, (char *)&v, &len);
    check_i("SO_KEEPALIVE", v != 0);
    v = 1;
    check_i("setsockopt(TCP_NODELAY)", setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&v, sizeof v));
    v = 0; len = sizeof v;
    getsockopt(s, IPPROTO_TCP, TCP_NODELAY, (char *)&v, &len);
    check_i("TCP_NODELAY", v != 0);
    lg.l_onoff = 1; lg.l_linger = 5;
    check_i("setsockopt(SO_LINGER)", setsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&lg, sizeof lg));
    lg.l_onoff = 0; lg.l_linger = 0; len = sizeof lg;
    getsockopt(s, SOL_SOCKET, SO_LINGER, (char *)&lg, &len);
    check_i("SO_LINGER l_onoff", lg.l_onoff != 0);
    check_i("SO_LINGER l_linger", lg.l_linger);
    len = 2;
    check_err("getsockopt(optlen 2)", getsockopt(s, SOL_SOCKET, SO_TYPE, (char *)&v, &len));
    len = sizeof v;
    v = 0;
    check_i("getsockopt(SO_ERROR)", getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&v, &len));
    check_i("  SO_ERROR", v);
    closesocket(s);
}

/* Server and client in one thread: non-blocking sockets and select. */
static void nonblocking(void)
{
    unsigned short port;
    SOCKET srv = listener(&port), cli, acc;
    struct sockaddr_in a = loopback(port), peer;
    u_long on = 1, n = 0;
    int len = sizeof peer, r;
    char buf[64];
    fd_set rd, wr, ex;
    struct timeval zero = {0, 0};

    check_i("listener SO_ACCEPTCONN", (len = sizeof r, getsockopt(srv, SOL_SOCKET, SO_ACCEPTCONN, (char *)&r, &len), r != 0));
    check_i("select(listener, nothing pending)", wait_for(srv, 0, 0));
    cli = socket(AF_INET, SOCK_STREAM, 0);
    check_i("ioctlsocket(FIONBIO)", ioctlsocket(cli, FIONBIO, &on));
    check_err("connect(non-blocking)", connect(cli, (struct sockaddr *)&a, sizeof a));
    check_err("connect again", connect(cli, (struct sockaddr *)&a, sizeof a));
    check_i("select(listener) readable", wait_for(srv, 0, 5000));
    ioctlsocket(srv, FIONBIO, &on);
    len = sizeof peer;
    acc = accept(srv, (struct sockaddr *)&peer, &len);
    check_i("accept", acc != INVALID_SOCKET);
    check_i("  addrlen", len);
    check_i("  peer is 127.0.0.1", peer.sin_addr.s_addr == inet_addr("127.0.0.1"));
    check_err("accept(none left, non-blocking)", (long)accept(srv, NULL, NULL));
    check_i("select(client) writable: connected", wait_for(cli, 1, 5000));
    len = sizeof peer;
    check_i("getpeername", getpeername(cli, (struct sockaddr *)&peer, &len));
    check_i("  peer port is the listener's", ntohs(peer.sin_port) == port);
    check_err("connect(connected)", connect(cli, (struct sockaddr *)&a, sizeof a));
    check_err("recv(nothing yet, non-blocking)", recv(cli, buf, sizeof buf, 0));
    check_i("send(hello)", send(cli, "hello", 5, 0));
    check_i("select(accepted) readable", wait_for(acc, 0, 5000));
    check_i("FIONREAD", (ioctlsocket(acc, FIONREAD, &n), (long)n));
    r = recv(acc, buf, 2, MSG_PEEK);
    check_i("recv(MSG_PEEK, 2)", r);
    r = recv(acc, buf, sizeof buf - 1, 0);
    buf[r > 0 ? r : 0] = 0;
    check_i("recv", r);
    check_s("  data", buf);
    send(acc, "abc", 3, 0);
    FD_ZERO(&rd); FD_ZERO(&wr); FD_ZERO(&ex);
    FD_SET(cli, &rd); FD_SET(srv, &rd); FD_SET(cli, &wr); FD_SET(cli, &ex);
    zero.tv_sec = 5;
    wait_for(cli, 0, 5000);
    zero.tv_sec = 0;
    r = select(0, &rd, &wr, &ex, &zero);
    check_i("select(3 sets)", r);
    check_i("  read count", rd.fd_count);
    check_i("  client readable", FD_ISSET(cli, &rd) != 0);
    check_i("  listener not readable", FD_ISSET(srv, &rd) != 0);
    check_i("  write count", wr.fd_count);
    check_i("  except count", ex.fd_count);
    r = recv(cli, buf, sizeof buf - 1, 0);
    buf[r > 0 ? r : 0] = 0;
    check_s("client got", buf);
    check_i("shutdown(client, SD_SEND)", shutdown(cli, 1));
    check_err("send after SD_SEND", send(cli, "x", 1, 0));
    wait_for(acc, 0, 5000);
    check_i("recv at the peer's shutdown", recv(acc, buf, sizeof buf, 0));
    check_i("closesocket(accepted)", closesocket(acc));
    wait_for(cli, 0, 5000);
    check_i("recv from a closed peer", recv(cli, buf, sizeof buf, 0));
    FD_ZERO(&rd);
    check_err("select(no sockets)", select(0, &rd, NULL, NULL, &zero));
    check_err("select(all NULL)", select(0, NULL, NULL, NULL, &zero));
    FD_SET((SOCKET)0x12340, &rd);
    check_err("select(not a socket)", select(0, &rd, NULL, NULL, &zero));
    closesocket(cli);
    closesocket(srv);
}

/* A connect to a port nothing listens on, and select's timeout. */
static void refused_and_timeout(void)
{
    unsigned short port;
    SOCKET srv = listener(&port), s, c;
    struct sockaddr_in a = loopback(port);
    u_long on = 1;
    int v = 0, len = sizeof v;
    DWORD t0, elapsed;
    closesocket(srv);
    s = socket(AF_INET, SOCK_STREAM, 0);
    check_err("connect(closed port)", connect(s, (struct sockaddr *)&a, sizeof a));
    closesocket(s);
    s = socket(AF_INET, SOCK_STREAM, 0);
    ioctlsocket(s, FIONBIO, &on);
    connect(s, (struct sockaddr *)&a, sizeof a);
    {
        fd_set wr, ex;
        struct timeval tv = {10, 0};
        FD_ZERO(&wr); FD_ZERO(&ex);
        FD_SET(s, &wr); FD_SET(s, &ex);
        check_i("select(failed non-blocking connect)", select(0, NULL, &wr, &ex, &tv));
        check_i("  writable", wr.fd_count);
        check_i("  exceptional", ex.fd_count);
    }
    getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&v, &len);
    check_i("  SO_ERROR", v);
    closesocket(s);

    srv = listener(&port);
    a = loopback(port);
    c = socket(AF_INET, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, sizeof a);
    s = accept(srv, NULL, NULL);
    t0 = GetTickCount();
    check_i("select(no data, 300 ms)", wait_for(s, 0, 300));
    elapsed = GetTickCount() - t0;
    check_i("  waited at least 250 ms", elapsed >= 250);
    check_i("  and less than 5 s", elapsed < 5000);
    v = 200;
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, (char *)&v, sizeof v);
    {
        char b[4];
        t0 = GetTickCount();
        check_err("recv(SO_RCVTIMEO 200 ms)", recv(s, b, sizeof b, 0));
        elapsed = GetTickCount() - t0;
        check_i("  waited at least 150 ms", elapsed >= 150);
    }
    closesocket(s);
    closesocket(c);
    closesocket(srv);
}

static SOCKET g_listener;

/* The blocking server: accepts, reads a line, answers it in upper case, closes. */
static DWORD WINAPI server_thread(void *arg)
{
    SOCKET s = accept(g_listener, NULL, NULL);
    char buf[64];
    int n = 0, r, i;
    (void)arg;
    if (s == INVALID_SOCKET) return 1;
    while (n < 4 && (r = recv(s, buf + n, sizeof buf - n, 0)) > 0) n += r;
    for (i = 0; i < n; i++) if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] -= 32;
    send(s, buf, n, 0);
    closesocket(s);
    return n;
}

/* Server and client in two threads: blocking accept, connect, recv and send. */
static void blocking(void)
{
    unsigned short port;
    SOCKET c;
    struct sockaddr_in a;
    HANDLE t;
    DWORD code = 0;
    static char big[20000];
    char buf[64];
    int r, n = 0, i;
    g_listener = listener(&port);
    a = loopback(port);
    t = CreateThread(NULL, 0, server_thread, NULL, 0, NULL);
    c = socket(AF_INET, SOCK_STREAM, 0);
    check_i("connect(blocking)", connect(c, (struct sockaddr *)&a, sizeof a));
    check_i("send(ping)", send(c, "ping", 4, 0));
    while ((r = recv(c, buf + n, sizeof buf - 1 - n, 0)) > 0) n += r;
    buf[n] = 0;
    check_s("answer", buf);
    check_i("recv at close", r);
    WaitForSingleObject(t, 10000);
    GetExitCodeThread(t, &code);
    check_i("server thread's exit code", code);
    CloseHandle(t);
    closesocket(c);

    /* A blocking send larger than the socket buffer completes whole. */
    t = CreateThread(NULL, 0, server_thread, NULL, 0, NULL);
    c = socket(AF_INET, SOCK_STREAM, 0);
    r = 1024;
    setsockopt(c, SOL_SOCKET, SO_SNDBUF, (char *)&r, sizeof r);
    connect(c, (struct sockaddr *)&a, sizeof a);
    for (i = 0; i < (int)sizeof big; i++) big[i] = 'a' + i % 26;
    check_i("send(20000 bytes, blocking)", send(c, big, sizeof big, 0));
    n = 0;
    while ((r = recv(c, buf + n, sizeof buf - 1 - n, 0)) > 0) n += r;
    check_i("answered bytes (its recv buffer's worth, at most 63)", n > 0 && n <= 63);
    WaitForSingleObject(t, 10000);
    CloseHandle(t);
    closesocket(c);
    closesocket(g_listener);
}

static void datagrams(void)
{
    SOCKET u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    struct sockaddr_in a1 = loopback(0), a2 = loopback(0), from;
    int len = sizeof a1, r;
    char buf[64];
    u_long on = 1;
    /* Non-blocking, so a stack that lets it wait (Wine's) does not hang here. */
    ioctlsocket(u2, FIONBIO, &on);
    check_err("recvfrom(unbound datagram socket)", recvfrom(u2, buf, sizeof buf, 0, NULL, NULL));
    on = 0;
    ioctlsocket(u2, FIONBIO, &on);
    bind(u1, (struct sockaddr *)&a1, sizeof a1);
    getsockname(u1, (struct sockaddr *)&a1, &len);
    len = sizeof a2;
    bind(u2, (struct sockaddr *)&a2, sizeof a2);
    getsockname(u2, (struct sockaddr *)&a2, &len);
    check_i("select(datagram socket) writable", wait_for(u1, 1, 0));
    check_i("sendto", sendto(u1, "datagram", 8, 0, (struct sockaddr *)&a2, sizeof a2));
    check_i("select(datagram socket) readable", wait_for(u2, 0, 5000));
    len = sizeof from;
    r = recvfrom(u2, buf, sizeof buf - 1, 0, (struct sockaddr *)&from, &len);
    buf[r > 0 ? r : 0] = 0;
    check_i("recvfrom", r);
    check_s("  data", buf);
    check_i("  from the sender's port", from.sin_port == a1.sin_port);
    check_i("  fromlen", len);
    sendto(u1, "too long for four", 17, 0, (struct sockaddr *)&a2, sizeof a2);
    wait_for(u2, 0, 5000);
    for (r = 0; r < (int)sizeof buf; r++) buf[r] = 0;
    check_err("recv(4 bytes of a 17-byte datagram)", recv(u2, buf, 4, 0));
    check_s("  what fitted", buf);
    check_err("recv(the rest is gone, non-blocking)", (ioctlsocket(u2, FIONBIO, (u_long *)&len), recv(u2, buf, 4, 0)));
    check_err("send(unconnected datagram socket)", send(u1, "x", 1, 0));
    check_i("connect(datagram socket)", connect(u1, (struct sockaddr *)&a2, sizeof a2));
    check_i("send(connected datagram socket)", send(u1, "xy", 2, 0));
    wait_for(u2, 0, 5000);
    check_i("recv", recv(u2, buf, sizeof buf, 0));
    closesocket(u1);
    closesocket(u2);
}

static void cleanup(void)
{
    SOCKET s = socket(AF_INET, SOCK_STREAM, 0);
    int v, len = sizeof v;
    check_i("WSACleanup", WSACleanup());
    check_err("getsockopt after WSACleanup", getsockopt(s, SOL_SOCKET, SO_TYPE, (char *)&v, &len));
    check_err("WSACleanup again", WSACleanup());
}

static void unreachable(void)
{
    WSADATA d;
    SOCKET s;
    struct sockaddr_in a;
    DWORD t0, elapsed;
    WSAStartup(0x0101, &d);
    s = socket(AF_INET, SOCK_STREAM, 0);
    a = loopback(80);
    a.sin_addr.s_addr = inet_addr("192.0.2.1");
    t0 = GetTickCount();
    check_err("connect(192.0.2.1:80)", connect(s, (struct sockaddr *)&a, sizeof a));
    elapsed = GetTickCount() - t0;
    check_i("  at once", elapsed < 1000);
    closesocket(s);
    s = socket(AF_INET, SOCK_DGRAM, 0);
    check_err("sendto(192.0.2.1:53)", sendto(s, "x", 1, 0, (struct sockaddr *)&a, sizeof a));
    check_i("gethostbyname(example.com)", gethostbyname("example.com") != NULL);
    check_i("  error", WSAGetLastError());
    closesocket(s);
    WSACleanup();
}

void __stdcall start(void)
{
    const char *cmd = GetCommandLineA();
    int i;
    for (i = 0; cmd[i]; i++) {
        if (equal(cmd + i, "unreachable")) {
            unreachable();
            ExitProcess(0);
        }
    }
    startup();
    conversions();
    names();
    socket_errors();
    options();
    nonblocking();
    refused_and_timeout();
    blocking();
    datagrams();
    cleanup();
    ExitProcess(0);
}
