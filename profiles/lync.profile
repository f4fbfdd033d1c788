# lync.profile - Lync Server 2013 / Skype for Business external access, as
# the reference's PowerShell tool tested it from a client: the five reverse
# proxy URLs (resolve, TCP 443, TLS, certificate), plus the SRV records
# clients and federation partners look up. Lines:
#   name NAME | about TEXT | var NAME HELP
#   check LABEL | TARGET | ADVICE-TAG     (TARGET may use {var})
#   srv LABEL | NAME                       (an SRV lookup)
#   advice TAG | TEXT                      (printed after a check with TAG
#                                           when its name matched a wildcard
#                                           or did not match)
#   note TEXT                              (printed at the end)
# A check whose variables are not given is skipped, with a line saying so.
name lync
about Lync Server 2013 external URLs (external web services, meet, Office Web Apps, lyncdiscover, dialin) and SIP SRV records
var sipdomain SIP domain, e.g. contoso.com (lyncdiscover.SIPDOMAIN and the SRV names are derived from it)
var web External web services FQDN, from the topology, e.g. webext.contoso.com
var meet Meet URL host, e.g. meet.contoso.com
var wac Office Web Apps server FQDN, e.g. wac.contoso.com
var dialin Dialin URL host, e.g. dialin.contoso.com
check TEST 1: External web services | https://{web}/
check TEST 2: Meet URL | https://{meet}/ | wildcard
check TEST 3: Office Web Apps | https://{wac}/
check TEST 4: Lyncdiscover | https://lyncdiscover.{sipdomain}/ | wildcard
check TEST 5: Dialin URL | https://{dialin}/ | wildcard
srv SIP over TLS (clients) | _sip._tls.{sipdomain}
srv SIP federation | _sipfederationtls._tcp.{sipdomain}
advice wildcard | Wildcard names in SAN are supported for meet, dialin and lyncdiscover URLs (see http://technet.microsoft.com/en-us/library/hh202161.aspx)
note Make sure the subject name and subject alternative names of each certificate are compatible with the names given in http://technet.microsoft.com/en-us/library/gg429704.aspx
