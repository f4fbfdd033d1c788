/* ews.c - Autodiscover and an EWS call (see ews.h), as the reference's
 * PowerShell script did with the EWS Managed API: GetUserSettings for the
 * External* URLs, then GetUserOofSettings at ExternalEwsUrl, printing each
 * URL tried with its HTTP status or error. Candidate order is Exchange's:
 * https://DOMAIN, https://autodiscover.DOMAIN, the unauthenticated HTTP GET
 * to http://autodiscover.DOMAIN whose redirect (to https only) names the
 * service, then the _autodiscover._tcp SRV record. At each, SOAP
 * (/autodiscover/autodiscover.svc) first, POX (/autodiscover/autodiscover.xml)
 * when SOAP is not there. Redirects are never followed silently: each one is
 * reported, and one to plain http is refused (credentials would follow it). */
#include "nettracer/ews.h"

#include <arpa/nameser.h>
#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <netdb.h>
#include <netinet/in.h>
#include <resolv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NS_SOAP "http://schemas.xmlsoap.org/soap/envelope/"
#define NS_AD "http://schemas.microsoft.com/exchange/2010/Autodiscover"
#define NS_T "http://schemas.microsoft.com/exchange/services/2006/types"
#define NS_M "http://schemas.microsoft.com/exchange/services/2006/messages"
#define MAX_BODY (4u << 20)

static const char *const wanted[] = {"ExternalEwsUrl", "ExternalMailboxServer", "ExternalEcpUrl",
                                     "ExternalOABUrl", "ExternalUMUrl",         "ExternalWebClientUrls"};

/* ---- XML helpers (namespaces ignored below the root: Exchange's prefixes vary) */

static bool is(const xmlNode *n, const char *name)
{
    return n && n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

/* First element named `name` at or below n, depth first. */
static xmlNode *find(xmlNode *n, const char *name)
{
    for (; n; n = n->next) {
        if (is(n, name)) return n;
        xmlNode *c = find(n->children, name);
        if (c) return c;
    }
    return NULL;
}

static xmlNode *child(xmlNode *n, const char *name)
{
    for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
        if (is(c, name)) return c;
    return NULL;
}

/* Text of an element, trimmed, into out. */
static void text(xmlNode *n, char *out, size_t len)
{
    out[0] = 0;
    if (!n) return;
    xmlChar *t = xmlNodeGetContent(n);
    if (!t) return;
    const char *s = (const char *)t;
    while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t') s++;
    snprintf(out, len, "%s", s);
    size_t k = strlen(out);
    while (k && (out[k - 1] == ' ' || out[k - 1] == '\n' || out[k - 1] == '\r' || out[k - 1] == '\t')) out[--k] = 0;
    xmlFree(t);
}

static xmlDoc *parse(const char *xml, size_t len, char *why, size_t whylen)
{
    if (len > MAX_BODY) {
        snprintf(why, whylen, "answer too large");
        return NULL;
    }
    xmlDoc *d = xmlReadMemory(xml, (int)len, NULL, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!d) {
        const xmlError *e = xmlGetLastError();
        snprintf(why, whylen, "not XML%s%s", e && e->message ? ": " : "", e && e->message ? e->message : "");
        size_t k = strlen(why);
        if (k && why[k - 1] == '\n') why[k - 1] = 0;
    }
    return d;
}

static void add_setting(nt_ews_settings *s, const char *name, const char *value)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->s[i].name, name)) {
            /* several web client URLs: keep them all, space separated */
            size_t k = strlen(s->s[i].value);
            if (k + 1 < sizeof s->s[i].value) snprintf(s->s[i].value + k, sizeof s->s[i].value - k, " %s", value);
            return;
        }
    if (s->n >= NT_EWS_MAX_SETTINGS) return;
    snprintf(s->s[s->n].name, sizeof s->s[s->n].name, "%s", name);
    snprintf(s->s[s->n].value, sizeof s->s[s->n].value, "%s", value);
    s->n++;
}

const char *nt_ews_setting(const nt_ews_settings *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->s[i].name, name)) return s->s[i].value;
    return NULL;
}

static bool soap_fault(xmlNode *root, char *out, size_t len)
{
    xmlNode *f = find(root, "Fault");
    if (!f) return false;
    char code[128], str[384];
    text(find(f->children, "faultcode"), code, sizeof code);
    text(find(f->children, "faultstring"), str, sizeof str);
    if (!str[0]) text(find(f->children, "Text"), str, sizeof str); /* SOAP 1.2 */
    snprintf(out, len, "SOAP fault%s%s: %s", code[0] ? " " : "", code, str[0] ? str : "(no fault string)");
    return true;
}

bool nt_ews_parse_soap_settings(const char *xml, size_t len, nt_ews_settings *s, char *why, size_t whylen)
{
    memset(s, 0, sizeof *s);
    xmlDoc *d = parse(xml, len, why, whylen);
    if (!d) return false;
    xmlNode *root = xmlDocGetRootElement(d);
    bool ok = false;
    if (!is(root, "Envelope") || !root->ns || strcmp((const char *)root->ns->href, NS_SOAP)) {
        snprintf(why, whylen, "not a SOAP envelope (root element %s)", root ? (const char *)root->name : "none");
    } else if (soap_fault(root, s->error, sizeof s->error)) {
        ok = true;
    } else {
        xmlNode *msg = find(root, "GetUserSettingsResponseMessage");
        if (!msg) {
            snprintf(why, whylen, "no GetUserSettingsResponseMessage in the answer");
        } else {
            ok = true;
            char code[128], m[256];
            xmlNode *resp = find(msg->children, "Response");
            text(child(resp, "ErrorCode"), code, sizeof code);
            text(child(resp, "ErrorMessage"), m, sizeof m);
            xmlNode *ur = find(msg->children, "UserResponse");
            if ((!code[0] || !strcmp(code, "NoError")) && ur) {
                text(child(ur, "ErrorCode"), code, sizeof code);
                text(child(ur, "ErrorMessage"), m, sizeof m);
            }
            if (code[0] && strcmp(code, "NoError")) snprintf(s->error, sizeof s->error, "%.60s%s%.180s", code, m[0] ? ": " : "", m);
            if (!strcmp(code, "RedirectAddress") || !strcmp(code, "RedirectUrl")) {
                text(child(ur, "RedirectTarget"), s->redirect, sizeof s->redirect);
                s->redirect_is_url = !strcmp(code, "RedirectUrl");
            }
            for (xmlNode *us = find(ur ? ur->children : NULL, "UserSettings"); us; us = NULL)
                for (xmlNode *c = us->children; c; c = c->next) {
                    if (!is(c, "UserSetting")) continue;
                    char name[64], value[512];
                    text(child(c, "Name"), name, sizeof name);
                    xmlNode *v = child(c, "Value");
                    if (v) {
                        text(v, value, sizeof value);
                        add_setting(s, name, value);
                    }
                    xmlNode *urls = child(c, "WebClientUrls");
                    for (xmlNode *w = urls ? urls->children : NULL; w; w = w->next) {
                        if (!is(w, "WebClientUrl")) continue;
                        text(child(w, "Url"), value, sizeof value);
                        if (value[0]) add_setting(s, name, value);
                    }
                }
        }
    }
    xmlFreeDoc(d);
    return ok;
}

bool nt_ews_parse_pox_settings(const char *xml, size_t len, nt_ews_settings *s, char *why, size_t whylen)
{
    memset(s, 0, sizeof *s);
    xmlDoc *d = parse(xml, len, why, whylen);
    if (!d) return false;
    xmlNode *root = xmlDocGetRootElement(d);
    bool ok = false;
    if (!is(root, "Autodiscover")) {
        snprintf(why, whylen, "not an Autodiscover answer (root element %s)", root ? (const char *)root->name : "none");
    } else {
        ok = true;
        xmlNode *err = find(root->children, "Error");
        if (err) {
            char code[64], m[192];
            text(child(err, "ErrorCode"), code, sizeof code);
            text(child(err, "Message"), m, sizeof m);
            snprintf(s->error, sizeof s->error, "error %.40s: %.190s", code, m);
        }
        xmlNode *acct = find(root->children, "Account");
        char action[64];
        text(child(acct, "Action"), action, sizeof action);
        if (!strcmp(action, "redirectAddr")) text(child(acct, "RedirectAddr"), s->redirect, sizeof s->redirect);
        if (!strcmp(action, "redirectUrl")) {
            text(child(acct, "RedirectUrl"), s->redirect, sizeof s->redirect);
            s->redirect_is_url = true;
        }
        static const struct { const char *pox, *soap; } map[] = {
            {"EwsUrl", "ExternalEwsUrl"}, {"Server", "ExternalMailboxServer"}, {"EcpUrl", "ExternalEcpUrl"},
            {"OABUrl", "ExternalOABUrl"}, {"UMUrl", "ExternalUMUrl"}};
        for (xmlNode *p = acct ? acct->children : NULL; p; p = p->next) {
            if (!is(p, "Protocol")) continue;
            char type[32], v[512];
            text(child(p, "Type"), type, sizeof type);
            if (!strcmp(type, "EXPR")) {
                for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
                    text(child(p, map[i].pox), v, sizeof v);
                    if (v[0]) add_setting(s, map[i].soap, v);
                }
            } else if (!strcmp(type, "WEB")) {
                xmlNode *ext = child(p, "External");
                for (xmlNode *o = ext ? ext->children : NULL; o; o = o->next)
                    if (is(o, "OWAUrl")) {
                        text(o, v, sizeof v);
                        if (v[0]) add_setting(s, "ExternalWebClientUrls", v);
                    }
            }
        }
    }
    xmlFreeDoc(d);
    return ok;
}

bool nt_ews_parse_oof(const char *xml, size_t len, nt_ews_oof *o, char *why, size_t whylen)
{
    memset(o, 0, sizeof *o);
    xmlDoc *d = parse(xml, len, why, whylen);
    if (!d) return false;
    xmlNode *root = xmlDocGetRootElement(d);
    bool ok = false;
    if (!is(root, "Envelope")) {
        snprintf(why, whylen, "not a SOAP envelope (root element %s)", root ? (const char *)root->name : "none");
    } else if (soap_fault(root, o->fault, sizeof o->fault)) {
        ok = true;
    } else {
        xmlNode *r = find(root, "GetUserOofSettingsResponse");
        if (!r) {
            snprintf(why, whylen, "no GetUserOofSettingsResponse in the answer");
        } else {
            ok = true;
            xmlNode *rm = child(r, "ResponseMessage");
            xmlChar *cls = rm ? xmlGetProp(rm, (const xmlChar *)"ResponseClass") : NULL;
            if (cls && strcmp((const char *)cls, "Success")) {
                char code[128], m[320];
                text(child(rm, "ResponseCode"), code, sizeof code);
                text(child(rm, "MessageText"), m, sizeof m);
                snprintf(o->fault, sizeof o->fault, "%s: %s", code, m);
            }
            if (cls) xmlFree(cls);
            xmlNode *s = child(r, "OofSettings");
            text(child(s, "OofState"), o->state, sizeof o->state);
            text(child(s, "ExternalAudience"), o->external_audience, sizeof o->external_audience);
            text(child(child(s, "ExternalReply"), "Message"), o->external_reply, sizeof o->external_reply);
            text(child(child(s, "InternalReply"), "Message"), o->internal_reply, sizeof o->internal_reply);
            if (!o->fault[0] && !s) snprintf(o->fault, sizeof o->fault, "the answer has no OofSettings");
        }
    }
    xmlFreeDoc(d);
    return ok;
}

/* ---- HTTP ---------------------------------------------------------------- */

typedef struct body {
    char *p;
    size_t len;
    bool too_big;
} body;

static size_t on_data(char *p, size_t sz, size_t n, void *u)
{
    body *b = u;
    size_t k = sz * n;
    if (b->len + k > MAX_BODY) {
        b->too_big = true;
        return 0;
    }
    char *q = realloc(b->p, b->len + k + 1);
    if (!q) return 0;
    memcpy(q + b->len, p, k);
    b->p = q;
    b->len += k;
    b->p[b->len] = 0;
    return k;
}

typedef struct http_res {
    long status;
    char location[1024];
    char error[CURL_ERROR_SIZE + 64];
    body b;
    bool cert_problem;
    long auth_avail;         /* on a 401: the CURLAUTH_* methods the server offered */
    bool negotiate_fallback; /* Negotiate did not get in: asked again without it */
} http_res;

typedef struct ctx {
    const nt_ews_opts *o;
    nt_step_fn fn;
    void *user;
    nt_step *s;
    bool saw_401, saw_cert, saw_dns;
} ctx;

static const char *level_name(nt_ews_level l)
{
    static const char *const n[] = {"step", "info", "ok", "fail", "warn"};
    return n[l];
}

/* One line of the report: a step with its level, "=> " before a step
 * begun or passed, indented otherwise. */
static void sayf(ctx *c, nt_ews_level l, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sayf(ctx *c, nt_ews_level l, const char *fmt, ...)
{
    static const nt_verdict v[] = {NT_VERDICT_INFO, NT_VERDICT_INFO, NT_VERDICT_OK, NT_VERDICT_FAIL, NT_VERDICT_WARN};
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    nt_step_start(c->s, "report", NT_SCOPE_LINE, NULL, NULL);
    c->s->verdict = v[l];
    nt_step_str(c->s, "type", level_name(l));
    nt_step_str(c->s, "text", line);
    nt_step_textf(c->s, "%s%s\n", l == NT_EWS_STEP || l == NT_EWS_OK ? "=> " : "   ", line);
    c->fn(c->user, c->s);
}

/* credentials to offer: a user, or Negotiate alone (the Kerberos ticket) */
static bool has_creds(const nt_ews_opts *o) { return o->user || o->auth == NT_EWS_AUTH_NEGOTIATE; }

static long auth_mask(unsigned a)
{
    long m = 0;
    if (!a) a = NT_EWS_AUTH_BASIC | NT_EWS_AUTH_NTLM | NT_EWS_AUTH_NEGOTIATE;
    if (a & NT_EWS_AUTH_BASIC) m |= CURLAUTH_BASIC;
    if (a & NT_EWS_AUTH_NTLM) m |= CURLAUTH_NTLM;
    if (a & NT_EWS_AUTH_NEGOTIATE) m |= CURLAUTH_NEGOTIATE;
    return m;
}

/* "Negotiate, NTLM" from CURLAUTH_* bits ("none" when empty) */
static void auth_names(long m, char *out, size_t n)
{
    static const struct { long bit; const char *name; } t[] = {
        {CURLAUTH_NEGOTIATE, "Negotiate"}, {CURLAUTH_NTLM, "NTLM"}, {CURLAUTH_BASIC, "Basic"},
        {CURLAUTH_DIGEST, "Digest"}, {CURLAUTH_BEARER, "Bearer"}};
    size_t k = 0;
    out[0] = 0;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (m & t[i].bit) k += (size_t)snprintf(out + k, k < n ? n - k : 0, "%s%s", k ? ", " : "", t[i].name);
    if (!k) snprintf(out, n, "none");
}

/* After a 401: what the server offers, and whether --auth left any of it. */
static void say_auth(ctx *c, const http_res *r)
{
    char offered[128], allowed[128];
    auth_names(r->auth_avail, offered, sizeof offered);
    auth_names(auth_mask(c->o->auth), allowed, sizeof allowed);
    if (!(r->auth_avail & auth_mask(c->o->auth)))
        sayf(c, NT_EWS_FAIL, "  the server offers %s; --auth allows %s: no method in common", offered, allowed);
    else
        sayf(c, NT_EWS_INFO, "  the server offers %s (nettracer allows %s)", offered, allowed);
    if ((r->auth_avail & auth_mask(c->o->auth)) == CURLAUTH_NEGOTIATE)
        sayf(c, NT_EWS_INFO, "  Negotiate (Kerberos) needs a ticket for the server's HTTP/ principal: check kinit and "
                             "klist, the realm's KDC, and that the name in the URL is the one the principal has");
}

/* POST (post != NULL, with credentials) or GET (without). */
static int http(ctx *c, const char *url, const char *post, const char *soap_action, http_res *r)
{
    r->status = 0, r->location[0] = 0, r->error[0] = 0, r->b.p = NULL, r->b.len = 0, r->b.too_big = false;
    r->cert_problem = false;
    r->auth_avail = 0;
    r->negotiate_fallback = false;
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(r->error, sizeof r->error, "libcurl could not start");
        return -1;
    }
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *hdr = NULL;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->o->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->o->timeout_ms);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r->b);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "nettracer/" NT_VERSION);
    if (c->o->cafile) curl_easy_setopt(h, CURLOPT_CAINFO, c->o->cafile);
    if (c->o->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (post) {
        /* credentials only ever travel over https */
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, post);
        hdr = curl_slist_append(hdr, "Content-Type: text/xml; charset=utf-8");
        if (soap_action) {
            char sa[256];
            snprintf(sa, sizeof sa, "SOAPAction: \"%s\"", soap_action);
            hdr = curl_slist_append(hdr, sa);
        }
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
        if (has_creds(c->o)) {
            /* Negotiate alone and no --user: the Kerberos ticket (kinit) is the credential */
            curl_easy_setopt(h, CURLOPT_USERNAME, c->o->user ? c->o->user : "");
            curl_easy_setopt(h, CURLOPT_PASSWORD, c->o->password ? c->o->password : "");
            curl_easy_setopt(h, CURLOPT_HTTPAUTH, auth_mask(c->o->auth));
        }
    } else {
        curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    }
    CURLcode rc = curl_easy_perform(h);
    long st = 0, avail = 0, mask = auth_mask(c->o->auth);
    if (rc == CURLE_OK && post && has_creds(c->o) && (mask & CURLAUTH_NEGOTIATE) &&
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st) == CURLE_OK && st == 401 &&
        curl_easy_getinfo(h, CURLINFO_HTTPAUTH_AVAIL, &avail) == CURLE_OK && (avail & CURLAUTH_NEGOTIATE) &&
        (avail & mask & ~CURLAUTH_NEGOTIATE)) {
        /* libcurl takes Negotiate when offered (Exchange offers Negotiate
         * and NTLM) and does not fall back when GSS-API has no Kerberos
         * ticket: once more without it, said in the report */
        r->negotiate_fallback = true;
        free(r->b.p);
        r->b.p = NULL, r->b.len = 0, r->b.too_big = false;
        curl_easy_setopt(h, CURLOPT_HTTPAUTH, mask & ~CURLAUTH_NEGOTIATE);
        rc = curl_easy_perform(h);
    }
    int ret = 0;
    if (rc != CURLE_OK) {
        snprintf(r->error, sizeof r->error, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
        if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE) r->cert_problem = c->saw_cert = true;
        if (rc == CURLE_COULDNT_RESOLVE_HOST) c->saw_dns = true;
        ret = -1;
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
        char *loc = NULL;
        if (curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc)
            snprintf(r->location, sizeof r->location, "%s", loc);
        if (r->status == 401) {
            c->saw_401 = true;
            curl_easy_getinfo(h, CURLINFO_HTTPAUTH_AVAIL, &r->auth_avail);
        }
    }
    curl_slist_free_all(hdr);
    curl_easy_cleanup(h);
    return ret;
}

static void http_free(http_res *r)
{
    free(r->b.p);
    r->b.p = NULL;
}

/* ---- requests ------------------------------------------------------------- */

static void xml_escape(char *out, size_t len, const char *s)
{
    size_t k = 0;
    for (; *s && k + 7 < len; s++) {
        const char *e = *s == '<' ? "&lt;" : *s == '>' ? "&gt;" : *s == '&' ? "&amp;" : *s == '"' ? "&quot;" : NULL;
        if (e) k += (size_t)snprintf(out + k, len - k, "%s", e);
        else out[k++] = *s;
    }
    out[k] = 0;
}

static char *soap_request(const char *url, const char *addr)
{
    char a[512], u[1024];
    xml_escape(a, sizeof a, addr);
    xml_escape(u, sizeof u, url);
    char settings[512] = "";
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        size_t k = strlen(settings);
        snprintf(settings + k, sizeof settings - k, "<a:Setting>%s</a:Setting>", wanted[i]);
    }
    size_t n = 2048 + strlen(a) + strlen(u) + strlen(settings);
    char *x = malloc(n);
    if (!x) return NULL;
    snprintf(x, n,
             "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
             "<soap:Envelope xmlns:a=\"" NS_AD "\" xmlns:wsa=\"http://www.w3.org/2005/08/addressing\" "
             "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:soap=\"" NS_SOAP "\">"
             "<soap:Header><a:RequestedServerVersion>Exchange2010</a:RequestedServerVersion>"
             "<wsa:Action>" NS_AD "/Autodiscover/GetUserSettings</wsa:Action><wsa:To>%s</wsa:To></soap:Header>"
             "<soap:Body><a:GetUserSettingsRequestMessage xmlns:a=\"" NS_AD "\"><a:Request>"
             "<a:Users><a:User><a:Mailbox>%s</a:Mailbox></a:User></a:Users>"
             "<a:RequestedSettings>%s</a:RequestedSettings></a:Request></a:GetUserSettingsRequestMessage>"
             "</soap:Body></soap:Envelope>\n",
             u, a, settings);
    return x;
}

static char *pox_request(const char *addr)
{
    char a[512];
    xml_escape(a, sizeof a, addr);
    size_t n = 1024 + strlen(a);
    char *x = malloc(n);
    if (!x) return NULL;
    snprintf(x, n,
             "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
             "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\">"
             "<Request><EMailAddress>%s</EMailAddress><AcceptableResponseSchema>"
             "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"
             "</AcceptableResponseSchema></Request></Autodiscover>\n",
             a);
    return x;
}

static char *oof_request(const char *addr)
{
    char a[512];
    xml_escape(a, sizeof a, addr);
    size_t n = 1024 + strlen(a);
    char *x = malloc(n);
    if (!x) return NULL;
    snprintf(x, n,
             "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
             "<soap:Envelope xmlns:soap=\"" NS_SOAP "\" xmlns:t=\"" NS_T "\" xmlns:m=\"" NS_M "\">"
             "<soap:Header><t:RequestServerVersion Version=\"Exchange2007_SP1\"/></soap:Header>"
             "<soap:Body><m:GetUserOofSettingsRequest><t:Mailbox><t:Address>%s</t:Address></t:Mailbox>"
             "</m:GetUserOofSettingsRequest></soap:Body></soap:Envelope>\n",
             a);
    return x;
}

/* ---- the check ------------------------------------------------------------ */

static const char *status_text(long s)
{
    switch (s) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    }
    return "";
}

static void report_http(ctx *c, const char *what, const char *url, int rc, const http_res *r)
{
    if (r->negotiate_fallback)
        sayf(c, NT_EWS_INFO, "%s %s: Negotiate did not get in (no Kerberos ticket for this server?): "
                             "asked again without it", what, url);
    if (rc < 0) sayf(c, NT_EWS_FAIL, "%s %s: %s", what, url, r->error);
    else sayf(c, r->status == 200 ? NT_EWS_INFO : NT_EWS_FAIL, "%s %s: HTTP %ld %s", what, url, r->status, status_text(r->status));
}

/* One Autodiscover endpoint: SOAP at base/autodiscover/autodiscover.svc,
 * POX at .../autodiscover.xml when SOAP is not served there. Returns true
 * with settings filled when one answered as Autodiscover. */
static bool try_base(ctx *c, const char *base, nt_ews_settings *s, int depth);

static bool try_url(ctx *c, const char *url, bool soap, nt_ews_settings *s, int depth)
{
    char *req = soap ? soap_request(url, c->o->address) : pox_request(c->o->address);
    if (!req) return false;
    http_res r;
    int rc = http(c, url, req, soap ? NS_AD "/Autodiscover/GetUserSettings" : NULL, &r);
    free(req);
    report_http(c, soap ? "Autodiscover (SOAP) POST" : "Autodiscover (POX) POST", url, rc, &r);
    bool ok = false;
    if (rc == 0 && (r.status == 301 || r.status == 302 || r.status == 307 || r.status == 308) && r.location[0]) {
        if (strncasecmp(r.location, "https://", 8)) {
            sayf(c, NT_EWS_FAIL, "  redirect to %s refused: not https (the credentials would travel in clear)", r.location);
        } else if (depth < 3) {
            sayf(c, NT_EWS_INFO, "  redirected to %s", r.location);
            ok = try_url(c, r.location, soap, s, depth + 1);
        }
    } else if (rc == 0 && r.status == 200 && r.b.p) {
        char why[256];
        if (soap ? nt_ews_parse_soap_settings(r.b.p, r.b.len, s, why, sizeof why)
                 : nt_ews_parse_pox_settings(r.b.p, r.b.len, s, why, sizeof why)) {
            ok = true;
        } else {
            sayf(c, NT_EWS_FAIL, "  the answer is not Autodiscover: %s", why);
        }
    } else if (rc == 0 && r.status == 401) {
        sayf(c, NT_EWS_FAIL, "  the server refused the credentials%s", has_creds(c->o) ? "" : " (none given: use --user)");
        if (has_creds(c->o)) say_auth(c, &r);
    }
    http_free(&r);
    if (ok && s->redirect[0] && depth < 3) {
        if (s->redirect_is_url) {
            sayf(c, NT_EWS_INFO, "  Autodiscover redirects to URL %s", s->redirect);
            if (!strncasecmp(s->redirect, "https://", 8)) {
                char next[512];
                snprintf(next, sizeof next, "%s", s->redirect);
                return try_url(c, next, soap, s, depth + 1);
            }
            sayf(c, NT_EWS_FAIL, "  redirect to %s refused: not https", s->redirect);
            return false;
        }
        sayf(c, NT_EWS_WARN, "  Autodiscover redirects to address %s (not followed)", s->redirect);
    }
    return ok;
}

static bool try_base(ctx *c, const char *base, nt_ews_settings *s, int depth)
{
    char url[1024];
    snprintf(url, sizeof url, "%s/autodiscover/autodiscover.svc", base);
    if (try_url(c, url, true, s, depth)) return true;
    snprintf(url, sizeof url, "%s/autodiscover/autodiscover.xml", base);
    return try_url(c, url, false, s, depth);
}

/* _autodiscover._tcp.DOMAIN: the target with the lowest priority. */
static bool srv_lookup(const char *domain, char *target, size_t tlen, unsigned *port, char *why, size_t wlen)
{
    char q[512];
    unsigned char ans[4096];
    snprintf(q, sizeof q, "_autodiscover._tcp.%s", domain);
    int n = res_query(q, ns_c_in, ns_t_srv, ans, sizeof ans);
    if (n < 0) {
        snprintf(why, wlen, "no SRV record %.200s (%s)", q, h_errno == HOST_NOT_FOUND ? "no such name" : h_errno == NO_DATA ? "no data" : "DNS failure");
        return false;
    }
    ns_msg msg;
    if (ns_initparse(ans, n, &msg) < 0) {
        snprintf(why, wlen, "unreadable DNS answer for %.200s", q);
        return false;
    }
    int best = -1;
    for (int i = 0; i < ns_msg_count(msg, ns_s_an); i++) {
        ns_rr rr;
        if (ns_parserr(&msg, ns_s_an, i, &rr) < 0 || ns_rr_type(rr) != ns_t_srv || ns_rr_rdlen(rr) < 7) continue;
        const unsigned char *rd = ns_rr_rdata(rr);
        int prio = rd[0] << 8 | rd[1];
        if (best >= 0 && prio >= best) continue;
        char name[256];
        if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 6, name, sizeof name) < 0) continue;
        best = prio;
        *port = (unsigned)(rd[4] << 8 | rd[5]);
        snprintf(target, tlen, "%s", name);
    }
    if (best < 0) snprintf(why, wlen, "no usable SRV record in the answer for %.200s", q);
    return best >= 0;
}

static bool autodiscover(ctx *c, const char *domain, nt_ews_settings *s)
{
    char base[600];
    if (c->o->autodiscover_url) {
        sayf(c, NT_EWS_STEP, "Autodiscover at %s", c->o->autodiscover_url);
        const char *u = c->o->autodiscover_url;
        return try_url(c, u, !strstr(u, ".xml"), s, 0);
    }
    sayf(c, NT_EWS_STEP, "Autodiscover for %s (domain %s)", c->o->address, domain);
    snprintf(base, sizeof base, "https://%s", domain);
    if (try_base(c, base, s, 0)) return true;
    snprintf(base, sizeof base, "https://autodiscover.%s", domain);
    if (try_base(c, base, s, 0)) return true;

    /* the HTTP redirect method: an unauthenticated GET, only its redirect counts */
    char url[700];
    snprintf(url, sizeof url, "http://autodiscover.%s/autodiscover/autodiscover.xml", domain);
    http_res r;
    int rc = http(c, url, NULL, NULL, &r);
    report_http(c, "Autodiscover redirect GET", url, rc, &r);
    if (rc == 0 && (r.status == 301 || r.status == 302 || r.status == 307 || r.status == 308) && r.location[0]) {
        if (strncasecmp(r.location, "https://", 8)) {
            sayf(c, NT_EWS_FAIL, "  redirect to %s refused: not https (the credentials would travel in clear)", r.location);
        } else {
            sayf(c, NT_EWS_INFO, "  redirected to %s", r.location);
            char loc[1024];
            snprintf(loc, sizeof loc, "%s", r.location);
            http_free(&r);
            /* the redirect names the POX service; SOAP lives next to it */
            char *dot = strstr(loc, "autodiscover.xml");
            if (dot) {
                char svc[1100];
                snprintf(svc, sizeof svc, "%.*sautodiscover.svc", (int)(dot - loc), loc);
                if (try_url(c, svc, true, s, 1)) return true;
            }
            return try_url(c, loc, false, s, 1);
        }
    }
    http_free(&r);

    char target[256], why[300];
    unsigned port = 443;
    if (srv_lookup(domain, target, sizeof target, &port, why, sizeof why)) {
        sayf(c, NT_EWS_INFO, "DNS SRV _autodiscover._tcp.%s: %s port %u", domain, target, port);
        if (port == 443) snprintf(base, sizeof base, "https://%s", target);
        else snprintf(base, sizeof base, "https://%s:%u", target, port);
        if (try_base(c, base, s, 0)) return true;
    } else {
        sayf(c, NT_EWS_FAIL, "DNS SRV: %s", why);
    }
    return false;
}

static int check(ctx *cp, nt_ews_result *r)
{
    ctx c = *cp;
    const nt_ews_opts *o = c.o;
    const char *at = strrchr(o->address, '@');
    if (!at || !at[1]) {
        sayf(&c, NT_EWS_FAIL, "'%s' is not an e-mail address", o->address);
        r->failed_step = "arguments";
        return -1;
    }
    if (o->insecure)
        sayf(&c, NT_EWS_WARN, "WARNING: --insecure: server certificates are NOT verified; anyone in the path could "
                              "read the credentials");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    xmlInitParser();
    nt_ews_settings s;
    memset(&s, 0, sizeof s);
    const char *ews = o->url;
    int ret = -1;
    if (!ews) {
        if (!autodiscover(&c, at + 1, &s)) {
            r->failed_step = "Autodiscover";
            sayf(&c, NT_EWS_FAIL, "Autodiscover failed: no candidate URL answered for %s.", o->address);
            if (c.saw_401) sayf(&c, NT_EWS_FAIL, "  At least one server refused the credentials (HTTP 401): check the user name (DOMAIN\\user) and password.");
            if (c.saw_cert) sayf(&c, NT_EWS_FAIL, "  A server certificate was not trusted: check its chain and name (--cacert FILE adds a CA; --insecure skips the check).");
            if (c.saw_dns) sayf(&c, NT_EWS_FAIL, "  Names did not resolve: check the DNS records for the domain and autodiscover.%s.", at + 1);
            goto out;
        }
        if (s.error[0]) sayf(&c, NT_EWS_WARN, "Autodiscover answered with an error: %s", s.error);
        for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
            const char *v = nt_ews_setting(&s, wanted[i]);
            sayf(&c, NT_EWS_INFO, "  %-22s %s", wanted[i], v ? v : "(not set)");
        }
        ews = nt_ews_setting(&s, "ExternalEwsUrl");
        if (!ews || !*ews) {
            r->failed_step = "Autodiscover";
            sayf(&c, NT_EWS_FAIL, "Autodiscover answered but gave no ExternalEwsUrl for %s%s%s: EWS is not published "
                                  "externally for this mailbox (check the EWS virtual directory's ExternalUrl).",
                 o->address, s.error[0] ? "; error " : "", s.error);
            goto out;
        }
        sayf(&c, NT_EWS_OK, "Autodiscover found the external EWS URL: %s", ews);
    }
    snprintf(r->ews_url, sizeof r->ews_url, "%s", ews);
    sayf(&c, NT_EWS_STEP, "EWS GetUserOofSettings for %s at %s", o->address, ews);
    {
        char *req = oof_request(o->address);
        http_res h;
        int rc = req ? http(&c, ews, req, "http://schemas.microsoft.com/exchange/services/2006/messages/GetUserOofSettings", &h) : -1;
        free(req);
        if (!req) {
            r->failed_step = "EWS GetUserOofSettings";
            goto out;
        }
        report_http(&c, "EWS POST", ews, rc, &h);
        r->failed_step = "EWS GetUserOofSettings";
        nt_ews_oof oof;
        char why[256];
        if (rc == 0 && (h.status == 200 || h.status == 500) && h.b.p && nt_ews_parse_oof(h.b.p, h.b.len, &oof, why, sizeof why)) {
            if (oof.fault[0]) {
                sayf(&c, NT_EWS_FAIL, "EWS GetUserOofSettings failed: %s", oof.fault);
            } else {
                snprintf(r->oof_state, sizeof r->oof_state, "%s", oof.state);
                sayf(&c, NT_EWS_OK, "Successfully retrieved OOF settings.");
                sayf(&c, NT_EWS_INFO, "OOF state: %s", oof.state);
                if (oof.external_audience[0]) sayf(&c, NT_EWS_INFO, "External audience: %s", oof.external_audience);
                sayf(&c, NT_EWS_INFO, "External OOF reply:");
                sayf(&c, NT_EWS_INFO, "%s", oof.external_reply[0] ? oof.external_reply : "(empty)");
                r->failed_step = NULL;
                ret = 0;
            }
        } else if (rc == 0 && h.status == 401) {
            sayf(&c, NT_EWS_FAIL, "EWS refused the credentials (HTTP 401): check the user name and password, and the "
                                  "authentication methods of the EWS virtual directory.");
            if (has_creds(c.o)) say_auth(&c, &h);
        } else if (rc == 0 && h.status == 200) {
            sayf(&c, NT_EWS_FAIL, "EWS answered, but not with GetUserOofSettings: %s", h.b.p ? why : "empty body");
        } else if (rc == 0) {
            sayf(&c, NT_EWS_FAIL, "EWS GetUserOofSettings failed: HTTP %ld %s", h.status, status_text(h.status));
        } else {
            sayf(&c, NT_EWS_FAIL, "EWS GetUserOofSettings failed: %s", h.error);
        }
        http_free(&h);
    }
out:
    return ret;
}

int nt_ews_check(const nt_ews_opts *o, nt_step_fn fn, void *user, nt_ews_result *r)
{
    static nt_step s;   /* large; one check at a time */
    memset(r, 0, sizeof *r);
    ctx c = {.o = o, .fn = fn, .user = user, .s = &s};
    int ret = check(&c, r);
    nt_step_start(&s, "result", NT_SCOPE_LINE, NULL, NULL);
    s.verdict = ret == 0 ? NT_VERDICT_OK : NT_VERDICT_FAIL;
    nt_step_str(&s, "type", "result");
    nt_step_bool(&s, "ok", ret == 0);
    if (r->failed_step) nt_step_str(&s, "failed_step", r->failed_step);
    nt_step_str(&s, "ews_url", r->ews_url);
    nt_step_str(&s, "oof_state", r->oof_state);
    nt_step_textf(&s, "Result: %s%s\n", ret == 0 ? "EWS works" : "FAILED at ", ret == 0 ? "" : r->failed_step);
    fn(user, &s);
    return ret;
}
