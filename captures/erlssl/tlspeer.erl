#!/usr/bin/env escript
%% -*- erlang -*-
%%! -noinput
%%
%% tlspeer: a small Erlang/OTP ssl peer for tlsdiag's captures (OTP 25, the
%% Debian erlang-ssl package), run by captures/generate_erlssl.sh with escript.
%%
%%   escript tlspeer.erl mode=server port=44440 certfile=S.pem keyfile=S.key [key=value...]
%%   escript tlspeer.erl mode=client port=44440 [lport=51400] [conns=2] [key=value...]
%%
%% Options (all key=value):
%%   versions=tlsv1.2,tlsv1.3   ssl's {versions, ...}
%%   ciphers=TLS_A:TLS_B        RFC suite names (ssl:str_to_suite/1)
%%   groups=x25519,secp256r1    {supported_groups, ...}
%%   alpn=h2,http/1.1           client: alpn_advertised_protocols, server: alpn_preferred_protocols
%%   cacertfile, certfile, keyfile
%%   verify=verify_peer|verify_none   (client default verify_peer, server verify_none)
%%   fail_if_no_peer_cert=true  (server)
%%   sni=NAME                   client: server_name_indication (and the name verified)
%%   request=1                  client: send GET /hello.txt, read until the server closes
%%   conns=N, lport=P           client: N connections one after the other, the k-th from
%%                              local port P+k (fixed ports in the captures)
%%   tickets=1                  TLS 1.3 session tickets (client auto, server stateless)
%%   n=N                        server: serve N connections, then exit
%%   keylog=FILE                append the NSS key log of each established connection
%%                              ({keep_secrets, true} + connection_information keylog;
%%                              OTP 25 gives it only after a successful handshake)
%%
%% Every result is printed as ssl returns it ({error, {tls_alert, ...}} etc.), and
%% ssl's own logger lines (the alerts it sends and receives) go to the same output:
%% they are the ground truth captures/README.md quotes.

main(Args) ->
    O = maps:from_list([parse(A) || A <- Args]),
    {ok, _} = application:ensure_all_started(ssl),
    %% notice: the alerts ssl sends and receives, not the supervisors' progress reports
    logger:set_primary_config(level, notice),
    case maps:get("mode", O) of
        "client" -> client(O);
        "server" -> server(O)
    end,
    halt(0).

parse(A) ->
    [K, V] = string:split(A, "="),
    {K, V}.

int(O, K, D) -> list_to_integer(maps:get(K, O, integer_to_list(D))).

atoms(S) -> [list_to_atom(X) || X <- string:lexemes(S, ",")].

common(O) ->
    L = [{"versions", fun(V) -> {versions, atoms(V)} end},
         {"ciphers", fun(V) -> {ciphers, [ssl:str_to_suite(C) || C <- string:lexemes(V, ":")]} end},
         {"groups", fun(V) -> {supported_groups, atoms(V)} end},
         {"cacertfile", fun(V) -> {cacertfile, V} end},
         {"certfile", fun(V) -> {certfile, V} end},
         {"keyfile", fun(V) -> {keyfile, V} end},
         {"verify", fun(V) -> {verify, list_to_atom(V)} end},
         {"alpn", fun(V) -> {alpn, [list_to_binary(X) || X <- string:lexemes(V, ",")]} end}],
    [alpn_opt(maps:get("mode", O), F(maps:get(K, O))) || {K, F} <- L, maps:is_key(K, O)]
        ++ [{keep_secrets, true} || maps:is_key("keylog", O)]
        ++ [{log_level, notice}].

%% alpn=a,b: the client advertises the list, the server prefers it
alpn_opt("client", {alpn, L}) -> {alpn_advertised_protocols, L};
alpn_opt("server", {alpn, L}) -> {alpn_preferred_protocols, L};
alpn_opt(_, Opt) -> Opt.

say(F, A) -> io:format(F ++ "~n", A).

info(S, O) ->
    case ssl:connection_information(S, [protocol, selected_cipher_suite, sni_hostname,
                                         session_resumption]) of
        {ok, I} -> say("connection: ~p", [I]);
        E -> say("connection_information: ~p", [E])
    end,
    case maps:get("keylog", O, none) of
        none -> ok;
        F ->
            case ssl:connection_information(S, [keylog]) of
                {ok, [{keylog, Lines}]} ->
                    ok = file:write_file(F, [[L, $\n] || L <- Lines], [append]);
                R -> say("keylog: ~p", [R])
            end
    end.

%% ------------------------------------------------------------------ client
client(O) ->
    N = int(O, "conns", 1),
    [client1(O, K) || K <- lists:seq(0, N - 1)],
    ok.

client1(O, K) ->
    Port = int(O, "port", 0),
    Local = case maps:get("lport", O, none) of
                none -> [];
                P -> [{port, list_to_integer(P) + K}, {reuseaddr, true}]
            end,
    Sni = case maps:get("sni", O, none) of
              none -> [];
              Name -> [{server_name_indication, Name}]
          end,
    Verify = case maps:is_key("verify", O) of true -> []; false -> [{verify, verify_peer}] end,
    Tickets = [{session_tickets, auto} || maps:get("tickets", O, "0") =:= "1"],
    Opts = [binary, {active, false}] ++ Local ++ Sni ++ Verify ++ Tickets ++ common(O),
    say("client ~p: connect 127.0.0.1:~p", [K, Port]),
    case ssl:connect("127.0.0.1", Port, Opts, 5000) of
        {ok, S} ->
            say("client ~p: handshake done", [K]),
            info(S, O),
            case maps:get("request", O, "0") of
                "1" ->
                    R = ssl:send(S, <<"GET /hello.txt HTTP/1.0\r\nHost: server.tlsdiag.test\r\n\r\n">>),
                    say("client ~p: send: ~p", [K, R]),
                    read_all(S, K);
                _ ->
                    %% read briefly: a TLS 1.3 server's late alert (certificate_required)
                    %% only shows on a read
                    say("client ~p: recv: ~p", [K, ssl:recv(S, 0, 500)])
            end,
            say("client ~p: close: ~p", [K, ssl:close(S)]);
        {error, E} ->
            say("client ~p: connect error: ~p", [K, E])
    end,
    timer:sleep(200).

read_all(S, K) ->
    case ssl:recv(S, 0, 3000) of
        {ok, D} -> say("client ~p: read ~p bytes", [K, byte_size(D)]), read_all(S, K);
        E -> say("client ~p: recv: ~p", [K, E])
    end.

%% ------------------------------------------------------------------ server
server(O) ->
    Port = int(O, "port", 0),
    Fail = [{fail_if_no_peer_cert, true} || maps:get("fail_if_no_peer_cert", O, "") =:= "true"],
    Tickets = [{session_tickets, stateless} || maps:get("tickets", O, "0") =:= "1"],
    Opts = [binary, {active, false}, {reuseaddr, true}] ++ Fail ++ Tickets ++ common(O),
    {ok, L} = ssl:listen(Port, Opts),
    say("server: listening on ~p", [Port]),
    [serve(L, K, O) || K <- lists:seq(0, int(O, "n", 1) - 1)],
    ok.

serve(L, K, O) ->
    {ok, T} = ssl:transport_accept(L),
    case ssl:handshake(T, 5000) of
        {ok, S} ->
            say("server ~p: handshake done", [K]),
            info(S, O),
            R = read_request(S, <<>>),
            say("server ~p: request: ~p", [K, R]),
            case R of
                {ok, _} ->
                    say("server ~p: send: ~p", [K, ssl:send(S, <<"HTTP/1.0 200 OK\r\n"
                        "Content-Type: text/plain\r\n\r\nhello from the tlsdiag test server\n">>)]);
                _ -> ok
            end,
            say("server ~p: close: ~p", [K, ssl:close(S)]);
        {error, E} ->
            say("server ~p: handshake error: ~p", [K, E])
    end,
    timer:sleep(200).

read_request(S, Acc) ->
    case binary:match(Acc, <<"\r\n\r\n">>) of
        nomatch ->
            case ssl:recv(S, 0, 3000) of
                {ok, D} -> read_request(S, <<Acc/binary, D/binary>>);
                E -> E
            end;
        _ -> {ok, Acc}
    end.
