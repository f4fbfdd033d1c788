/* registry.c - the field registry assembled: every layer's row tables in
 * the order `nettracer fields` lists them, and the session's messages of
 * one protocol for the message rows. A constant: nothing is built at run
 * time, nothing is global and mutable. */
#include "nettracer/registry.h"

#include "nettracer/app.h"

static int packet_msgs(const nt_packet *pkt, uint8_t proto, const void **out, int max)
{
    return pkt->app ? nt_app_msgs(pkt->app, proto, out, max) : 0;
}

static const nt_field_table tables[] = {
    {nt_header_fields, &nt_header_nfields}, {nt_ana_fields, &nt_ana_nfields},
    {nt_app_fields, &nt_app_nfields},       {nt_sip_fields, &nt_sip_nfields},
    {nt_sdp_fields, &nt_sdp_nfields},       {nt_rtp_fields, &nt_rtp_nfields},
    {nt_rtcp_fields, &nt_rtcp_nfields},     {nt_stun_fields, &nt_stun_nfields},
    {nt_dhcp_fields, &nt_dhcp_nfields},     {nt_nbns_fields, &nt_nbns_nfields},
    {nt_tpkt_fields, &nt_tpkt_nfields},
};

const nt_field_registry nt_registry = {tables, sizeof tables / sizeof tables[0], packet_msgs};
