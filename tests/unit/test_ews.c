/* Unit tests for the Autodiscover and EWS answer parsers in probe/ews.c:
 * SOAP GetUserSettings (settings, web client URLs, user errors, redirects,
 * faults), POX (EXPR and WEB protocols, errors, redirects), and
 * GetUserOofSettings (success, SOAP fault, error response class), and what
 * they say about answers that are not XML or not Autodiscover. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "nettracer/ews.h"

#define ENV_OPEN "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body>"
#define ENV_CLOSE "</s:Body></s:Envelope>"
#define AD_NS "http://schemas.microsoft.com/exchange/2010/Autodiscover"

static void soap_settings(void **state)
{
    (void)state;
    static const char x[] = ENV_OPEN "<GetUserSettingsResponseMessage xmlns=\"" AD_NS "\"><Response>"
        "<ErrorCode>NoError</ErrorCode><UserResponses><UserResponse><ErrorCode>NoError</ErrorCode>"
        "<UserSettings><UserSetting><Name>ExternalEwsUrl</Name><Value> https://m.example/EWS/Exchange.asmx </Value></UserSetting>"
        "<UserSetting><Name>ExternalWebClientUrls</Name><WebClientUrls><WebClientUrl><Url>https://a/owa/</Url></WebClientUrl>"
        "<WebClientUrl><Url>https://b/owa/</Url></WebClientUrl></WebClientUrls></UserSetting></UserSettings>"
        "</UserResponse></UserResponses></Response></GetUserSettingsResponseMessage>" ENV_CLOSE;
    nt_ews_settings s;
    char why[256];
    assert_true(nt_ews_parse_soap_settings(x, strlen(x), &s, why, sizeof why));
    assert_string_equal(nt_ews_setting(&s, "ExternalEwsUrl"), "https://m.example/EWS/Exchange.asmx");
    assert_string_equal(nt_ews_setting(&s, "ExternalWebClientUrls"), "https://a/owa/ https://b/owa/");
    assert_null(nt_ews_setting(&s, "ExternalUMUrl"));
    assert_string_equal(s.error, "");
}

static void soap_user_error_and_redirect(void **state)
{
    (void)state;
    static const char x[] = ENV_OPEN "<GetUserSettingsResponseMessage xmlns=\"" AD_NS "\"><Response>"
        "<ErrorCode>NoError</ErrorCode><UserResponses><UserResponse><ErrorCode>RedirectAddress</ErrorCode>"
        "<ErrorMessage>Redirection address.</ErrorMessage><RedirectTarget>bob@other.example</RedirectTarget>"
        "</UserResponse></UserResponses></Response></GetUserSettingsResponseMessage>" ENV_CLOSE;
    nt_ews_settings s;
    char why[256];
    assert_true(nt_ews_parse_soap_settings(x, strlen(x), &s, why, sizeof why));
    assert_string_equal(s.error, "RedirectAddress: Redirection address.");
    assert_string_equal(s.redirect, "bob@other.example");
    assert_false(s.redirect_is_url);
    assert_int_equal(s.n, 0);
}

static void soap_fault_and_garbage(void **state)
{
    (void)state;
    static const char f[] = ENV_OPEN "<s:Fault><faultcode>s:Client</faultcode><faultstring>Bad</faultstring></s:Fault>" ENV_CLOSE;
    nt_ews_settings s;
    char why[256];
    assert_true(nt_ews_parse_soap_settings(f, strlen(f), &s, why, sizeof why));
    assert_string_equal(s.error, "SOAP fault s:Client: Bad");
    assert_false(nt_ews_parse_soap_settings("<html><body>IIS</body></html>", 29, &s, why, sizeof why));
    assert_non_null(strstr(why, "not a SOAP envelope (root element html)"));
    assert_false(nt_ews_parse_soap_settings("not xml at all", 14, &s, why, sizeof why));
    assert_non_null(strstr(why, "not XML"));
    static const char other[] = ENV_OPEN "<Something/>" ENV_CLOSE;
    assert_false(nt_ews_parse_soap_settings(other, strlen(other), &s, why, sizeof why));
    assert_non_null(strstr(why, "GetUserSettingsResponseMessage"));
    /* an envelope in another namespace is not SOAP 1.1 */
    static const char ns[] = "<s:Envelope xmlns:s=\"https://schemas.xmlsoap.org/soap/envelope/\"/>";
    assert_false(nt_ews_parse_soap_settings(ns, strlen(ns), &s, why, sizeof why));
}

static void pox(void **state)
{
    (void)state;
    static const char x[] =
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\">"
        "<Response xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a\">"
        "<Account><Action>settings</Action>"
        "<Protocol><Type>EXCH</Type><EwsUrl>https://internal/EWS/Exchange.asmx</EwsUrl></Protocol>"
        "<Protocol><Type>EXPR</Type><Server>mail.example</Server><EwsUrl>https://mail.example/EWS/Exchange.asmx</EwsUrl>"
        "<EcpUrl>https://mail.example/ecp/</EcpUrl></Protocol>"
        "<Protocol><Type>WEB</Type><External><OWAUrl AuthenticationMethod=\"Fba\">https://mail.example/owa/</OWAUrl>"
        "</External></Protocol></Account></Response></Autodiscover>";
    nt_ews_settings s;
    char why[256];
    assert_true(nt_ews_parse_pox_settings(x, strlen(x), &s, why, sizeof why));
    assert_string_equal(nt_ews_setting(&s, "ExternalEwsUrl"), "https://mail.example/EWS/Exchange.asmx");
    assert_string_equal(nt_ews_setting(&s, "ExternalMailboxServer"), "mail.example");
    assert_string_equal(nt_ews_setting(&s, "ExternalEcpUrl"), "https://mail.example/ecp/");
    assert_string_equal(nt_ews_setting(&s, "ExternalWebClientUrls"), "https://mail.example/owa/");
    static const char e[] = "<Autodiscover><Response><Error><ErrorCode>500</ErrorCode><Message>The e-mail address cannot be "
                            "found.</Message></Error></Response></Autodiscover>";
    assert_true(nt_ews_parse_pox_settings(e, strlen(e), &s, why, sizeof why));
    assert_string_equal(s.error, "error 500: The e-mail address cannot be found.");
    assert_null(nt_ews_setting(&s, "ExternalEwsUrl"));
    static const char r[] = "<Autodiscover><Response><Account><Action>redirectUrl</Action>"
                            "<RedirectUrl>https://x/autodiscover/autodiscover.xml</RedirectUrl></Account></Response></Autodiscover>";
    assert_true(nt_ews_parse_pox_settings(r, strlen(r), &s, why, sizeof why));
    assert_true(s.redirect_is_url);
    assert_string_equal(s.redirect, "https://x/autodiscover/autodiscover.xml");
    assert_false(nt_ews_parse_pox_settings("<html/>", 7, &s, why, sizeof why));
}

static void oof(void **state)
{
    (void)state;
    static const char x[] = ENV_OPEN "<GetUserOofSettingsResponse xmlns=\"http://schemas.microsoft.com/exchange/services/2006/messages\">"
        "<ResponseMessage ResponseClass=\"Success\"><ResponseCode>NoError</ResponseCode></ResponseMessage>"
        "<OofSettings xmlns=\"http://schemas.microsoft.com/exchange/services/2006/types\"><OofState>Scheduled</OofState>"
        "<ExternalAudience>Known</ExternalAudience><ExternalReply><Message>Away &amp; back soon</Message></ExternalReply>"
        "</OofSettings></GetUserOofSettingsResponse>" ENV_CLOSE;
    nt_ews_oof o;
    char why[256];
    assert_true(nt_ews_parse_oof(x, strlen(x), &o, why, sizeof why));
    assert_string_equal(o.state, "Scheduled");
    assert_string_equal(o.external_audience, "Known");
    assert_string_equal(o.external_reply, "Away & back soon");
    assert_string_equal(o.fault, "");
    static const char err[] = ENV_OPEN "<GetUserOofSettingsResponse><ResponseMessage ResponseClass=\"Error\">"
        "<MessageText>The specified object was not found in the store.</MessageText>"
        "<ResponseCode>ErrorItemNotFound</ResponseCode></ResponseMessage></GetUserOofSettingsResponse>" ENV_CLOSE;
    assert_true(nt_ews_parse_oof(err, strlen(err), &o, why, sizeof why));
    assert_string_equal(o.fault, "ErrorItemNotFound: The specified object was not found in the store.");
    static const char f[] = ENV_OPEN "<s:Fault><faultcode>a:ErrorSchemaValidation</faultcode><faultstring>Bad request"
                            "</faultstring></s:Fault>" ENV_CLOSE;
    assert_true(nt_ews_parse_oof(f, strlen(f), &o, why, sizeof why));
    assert_string_equal(o.fault, "SOAP fault a:ErrorSchemaValidation: Bad request");
    assert_false(nt_ews_parse_oof("", 0, &o, why, sizeof why));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(soap_settings), cmocka_unit_test(soap_user_error_and_redirect),
        cmocka_unit_test(soap_fault_and_garbage), cmocka_unit_test(pox), cmocka_unit_test(oof),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
