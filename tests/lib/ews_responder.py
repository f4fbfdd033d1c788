#!/usr/bin/env python3
"""ews_responder.py PORT PASSWORD [OPTIONS] -- a small Autodiscover + EWS
test server for tests/scenarios/ews.sh, run behind nginx TLS in a network
namespace (Basic), or serving TLS itself (NTLM: the handshake needs one
connection from start to end, which nginx's proxy does not keep).

Answers shaped like Exchange 2010-2016's (namespaces as real servers use
them): SOAP GetUserSettings at /autodiscover/autodiscover.svc, POX at
/autodiscover/autodiscover.xml, GetUserOofSettings at /EWS/Exchange.asmx.
Basic authentication is required (users CONTOSO\\alice, alice@contoso.test
or alice; the password is the second argument). Behaviour by request:
  Host DOMAIN (not autodiscover./mail.)  404 (the web site has no Autodiscover)
  mailbox nourl@...           settings without ExternalEwsUrl / EwsUrl
  mailbox pox@...             SOAP answers 404, POX works
  mailbox fault@...           EWS answers a SOAP fault (HTTP 500)
Options:
  --bind ADDR           listen address (default 127.0.0.1)
  --tls CERT KEY        serve https itself
  --ews-url URL         the ExternalEwsUrl / EwsUrl to hand out
  --gss OFFER           GSS-API instead of Basic, through python3-gssapi; OFFER
                        is what the 401 offers: "NTLM", "Negotiate" or both.
                        NTLM tokens go to gss-ntlmssp (the GSSAPI NTLMSSP
                        mechanism; users and passwords from the file in
                        NTLM_USER_FILE, lines DOMAIN:user:password), Negotiate
                        tokens to GSSAPI's SPNEGO (Kerberos with the keytab in
                        KRB5_KTNAME, or NTLMSSP inside SPNEGO)
Python 3 standard library, plus python3-gssapi for --gss.
"""
import base64
import re
import ssl
import struct
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(sys.argv[1])
PASSWORD = sys.argv[2]
USERS = {'CONTOSO\\alice', 'alice@contoso.test', 'alice'}
EWS_URL = 'https://mail.contoso.test/EWS/Exchange.asmx'
BIND = '127.0.0.1'
TLS = None
GSS_OFFER = None
args = sys.argv[3:]
while args:
    a = args.pop(0)
    if a == '--bind':
        BIND = args.pop(0)
    elif a == '--tls':
        TLS = (args.pop(0), args.pop(0))
    elif a == '--ews-url':
        EWS_URL = args.pop(0)
    elif a == '--gss':
        GSS_OFFER = [x.strip() for x in args.pop(0).split(',')]
    else:
        sys.exit('unknown option ' + a)
if GSS_OFFER:
    import gssapi
    NTLMSSP = gssapi.OID.from_int_seq('1.3.6.1.4.1.311.2.2.10')


def with_version(t):
    """gss-ntlmssp 1.2 rejects NTLM messages without the Version field, which
    MS-NLMP makes optional and curl leaves out: insert an empty one (only
    the fixed header moves; curl sends no MIC that would cover it)."""
    if len(t) < 12 or t[:8] != b'NTLMSSP\0':
        return t
    if t[8] == 1 and len(t) == 32:
        return t + bytes(8)
    if t[8] == 3 and len(t) >= 64:
        bufs = [struct.unpack_from('<HHI', t, 12 + 8 * i) for i in range(6)]
        if min(off for ln, _, off in bufs if ln) == 64:
            b = bytearray(t[:64])
            for i in range(6):
                struct.pack_into('<I', b, 12 + 8 * i + 4, bufs[i][2] + 8)
            return bytes(b) + bytes(8) + t[64:]
    return t
OOF_REPLY = 'I am out of the office until Monday. For urgent matters call the help desk.'

SOAP_SETTINGS = '''<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" xmlns:a="http://www.w3.org/2005/08/addressing">
<s:Header><a:Action s:mustUnderstand="1">http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetUserSettingsResponse</a:Action>
<h:ServerVersionInfo xmlns:h="http://schemas.microsoft.com/exchange/2010/Autodiscover" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><h:MajorVersion>15</h:MajorVersion><h:MinorVersion>1</h:MinorVersion><h:MajorBuildNumber>2507</h:MajorBuildNumber><h:MinorBuildNumber>6</h:MinorBuildNumber><h:Version>Exchange2015</h:Version></h:ServerVersionInfo></s:Header>
<s:Body><GetUserSettingsResponseMessage xmlns="http://schemas.microsoft.com/exchange/2010/Autodiscover">
<Response xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><ErrorCode>NoError</ErrorCode><ErrorMessage/>
<UserResponses><UserResponse><ErrorCode>NoError</ErrorCode><ErrorMessage>No error.</ErrorMessage><RedirectTarget i:nil="true"/><UserSettingErrors/>
<UserSettings>{settings}</UserSettings></UserResponse></UserResponses></Response></GetUserSettingsResponseMessage></s:Body></s:Envelope>
'''

POX = '''<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
<Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
<User><DisplayName>Alice</DisplayName><AutoDiscoverSMTPAddress>{addr}</AutoDiscoverSMTPAddress></User>
<Account><AccountType>email</AccountType><Action>settings</Action>
<Protocol><Type>EXPR</Type><Server>mail.contoso.test</Server><ServerVersion>738180DA</ServerVersion><SSL>On</SSL><AuthPackage>Basic</AuthPackage>{ews}<EcpUrl>https://mail.contoso.test/ecp/</EcpUrl><OABUrl>https://mail.contoso.test/OAB/</OABUrl><UMUrl>https://mail.contoso.test/EWS/UM2007Legacy.asmx</UMUrl></Protocol>
<Protocol><Type>WEB</Type><External><OWAUrl AuthenticationMethod="Fba">https://mail.contoso.test/owa/</OWAUrl></External></Protocol>
</Account></Response></Autodiscover>
'''

OOF = '''<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
<s:Header><h:ServerVersionInfo MajorVersion="14" MinorVersion="1" MajorBuildNumber="218" MinorBuildNumber="15" Version="Exchange2010_SP1" xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types" xmlns="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"/></s:Header>
<s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
<GetUserOofSettingsResponse xmlns="http://schemas.microsoft.com/exchange/services/2006/messages">
<ResponseMessage ResponseClass="Success"><ResponseCode>NoError</ResponseCode></ResponseMessage>
<OofSettings xmlns="http://schemas.microsoft.com/exchange/services/2006/types"><OofState>Enabled</OofState><ExternalAudience>All</ExternalAudience>
<Duration><StartTime>2024-01-01T00:00:00</StartTime><EndTime>2024-01-08T00:00:00</EndTime></Duration>
<InternalReply xml:lang="en-US"><Message>Out until Monday.</Message></InternalReply>
<ExternalReply xml:lang="en-US"><Message>{reply}</Message></ExternalReply></OofSettings>
<AllowExternalOof>All</AllowExternalOof></GetUserOofSettingsResponse></s:Body></s:Envelope>
'''

FAULT = '''<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>
<faultcode xmlns:a="http://schemas.microsoft.com/exchange/services/2006/types">a:ErrorNonExistentMailbox</faultcode>
<faultstring xml:lang="en-US">No mailbox with such guid.</faultstring>
<detail><e:ResponseCode xmlns:e="http://schemas.microsoft.com/exchange/services/2006/errors">ErrorNonExistentMailbox</e:ResponseCode></detail>
</s:Fault></s:Body></s:Envelope>
'''


def setting(name, value):
    return f'<UserSetting i:type="StringSetting"><Name>{name}</Name><Value>{value}</Value></UserSetting>'


class H(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        sys.stderr.write('%s %s\n' % (self.headers.get('Host', ''), fmt % args))

    def send(self, code, body=b'', ctype='text/xml; charset=utf-8', extra=()):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(code)
        self.send_header('Content-Type', ctype)
        self.send_header('Content-Length', str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        if getattr(self, 'final', None):
            self.send_header('WWW-Authenticate', self.final)
            self.final = None
        self.end_headers()
        self.wfile.write(body)

    def authorized(self):
        """True when the request may proceed; else the 401 was sent."""
        if GSS_OFFER:
            return self.gss_auth()
        if not self.basic():
            self.send(401, 'login required', 'text/plain', [('WWW-Authenticate', 'Basic realm="contoso.test"')])
            return False
        return True

    gss = None   # this connection's NTLM/SPNEGO context

    def gss_auth(self):
        a = self.headers.get('Authorization', '')
        scheme, _, tok = a.partition(' ')
        if scheme not in GSS_OFFER or not tok:
            self.send(401, 'login required', 'text/plain', [('WWW-Authenticate', o) for o in GSS_OFFER])
            return False
        try:
            tok = with_version(base64.b64decode(tok))
            if self.gss is None or (scheme == 'NTLM' and tok[8:9] == b'\x01'):
                mech = [NTLMSSP] if scheme == 'NTLM' else None
                creds = gssapi.Credentials(usage='accept', mechs=mech) if mech else None
                self.gss = gssapi.SecurityContext(creds=creds, usage='accept')
            out = self.gss.step(tok)
        except (gssapi.exceptions.GSSError, ValueError) as e:
            sys.stderr.write('%s refused: %s\n' % (scheme, e))
            self.gss = None
            self.send(401, 'login failed', 'text/plain', [('WWW-Authenticate', o) for o in GSS_OFFER])
            return False
        if not self.gss.complete:
            self.send(401, '', 'text/plain', [('WWW-Authenticate', '%s %s' % (scheme, base64.b64encode(out).decode()))])
            return False
        sys.stderr.write('%s user %s\n' % (scheme, self.gss.initiator_name))
        if out:   # Kerberos mutual authentication: the AP-REP goes with the answer
            self.final = '%s %s' % (scheme, base64.b64encode(out).decode())
        self.gss = None
        return True

    def basic(self):
        a = self.headers.get('Authorization', '')
        if not a.startswith('Basic '):
            return False
        try:
            user, _, pw = base64.b64decode(a[6:]).decode().partition(':')
        except Exception:
            return False
        return user in USERS and pw == PASSWORD

    def do_GET(self):
        self.send(404, 'not here', 'text/plain')

    def do_POST(self):
        n = int(self.headers.get('Content-Length', '0'))
        body = self.rfile.read(n).decode('utf-8', 'replace')
        host = self.headers.get('Host', '').split(':')[0].lower()
        path = self.path.lower()
        if not host.startswith(('autodiscover.', 'mail.')):
            return self.send(404, 'no autodiscover on the web site', 'text/plain')
        if path not in ('/autodiscover/autodiscover.svc', '/autodiscover/autodiscover.xml', '/ews/exchange.asmx'):
            return self.send(404, 'not found', 'text/plain')
        if not self.authorized():
            return
        m = re.search(r'<(?:\w+:)?(?:Mailbox|EMailAddress|Address)>([^<]+)<', body)
        addr = m.group(1) if m else ''
        local = addr.split('@')[0]
        if path.endswith('.svc'):
            if local == 'pox':
                return self.send(404, 'SOAP Autodiscover not enabled', 'text/plain')
            s = ''
            if local != 'nourl':
                s += setting('ExternalEwsUrl', EWS_URL)
            s += setting('ExternalMailboxServer', 'mail.contoso.test')
            s += setting('ExternalEcpUrl', 'https://mail.contoso.test/ecp/')
            s += setting('ExternalOABUrl', 'https://mail.contoso.test/OAB/')
            s += ('<UserSetting i:type="WebClientUrlCollectionSetting"><Name>ExternalWebClientUrls</Name><WebClientUrls>'
                  '<WebClientUrl><AuthenticationMethods>Fba</AuthenticationMethods><Url>https://mail.contoso.test/owa/</Url>'
                  '</WebClientUrl></WebClientUrls></UserSetting>')
            return self.send(200, SOAP_SETTINGS.format(settings=s))
        if path.endswith('.xml'):
            ews = '' if local == 'nourl' else f'<EwsUrl>{EWS_URL}</EwsUrl>'
            return self.send(200, POX.format(addr=addr, ews=ews))
        if local == 'fault':
            return self.send(500, FAULT)
        if 'GetUserOofSettingsRequest' in body:
            return self.send(200, OOF.format(reply=OOF_REPLY))
        return self.send(500, FAULT.replace('ErrorNonExistentMailbox', 'ErrorInvalidRequest')
                         .replace('No mailbox with such guid.', 'The request is not supported by this test server.'))


srv = ThreadingHTTPServer((BIND, PORT), H)
if TLS:
    tc = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tc.load_cert_chain(*TLS)
    srv.socket = tc.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
