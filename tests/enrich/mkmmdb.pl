#!/usr/bin/perl
# mkmmdb.pl - write small MaxMind DB files with known networks for the
# tests of report/enrich/mmdb.c (Debian's libmaxmind-db-writer-perl).
# Usage: mkmmdb.pl DIR [BUILD_EPOCH [SUFFIX]]
# Writes, in DIR:
#   asn.mmdb      GeoLite2-ASN layout: autonomous_system_number (uint32),
#                 autonomous_system_organization
#   country.mmdb  GeoLite2-Country layout: country -> iso_code, names
#   ipinfo.mmdb   IPinfo Lite layout: asn ("AS64500"), as_name, as_domain,
#                 country_code, country, all at the top level
# SUFFIX (default empty) is appended to every AS organisation, so a
# rebuilt database with other names can be told apart.
# The networks are listed in %net below; tests rely on them.
# SPDX-License-Identifier: MIT
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my ($dir, $epoch, $sfx) = @ARGV;
die "usage: mkmmdb.pl DIR [BUILD_EPOCH [SUFFIX]]\n" unless defined $dir;
$sfx //= '';

# network => [asn, organisation, as domain, country]. The first ones
# hold the senders of "dsgen demo"; 192.0.2.0/24 and 203.0.113.0/24 have
# no PTR or IP rule in services.tsv, so only their ASN names a service.
my %net = (
	'198.51.100.0/24' => [64500, 'Example Hosting', 'example.net', 'DE'],
	'2001:db8::/32'   => [64501, "Example \x{c9}six", 'example.org', 'FR'],
	'2001:db8:5::/48' => [16509, 'AMAZON-02', 'amazon.com', 'US'],
	'167.89.0.0/17'   => [11377, 'SENDGRID', 'sendgrid.com', 'US'],
	'209.85.128.0/17' => [15169, 'GOOGLE', 'google.com', 'US'],
	'45.95.147.0/24'  => [64512, 'Spam Hosting', 'spam.example', 'NL'],
	'185.220.101.0/24' => [64513, 'Relay Net', 'relay.example', 'DE'],
	'103.75.190.0/24' => [64514, 'Far Net', 'far.example', 'VN'],
	'192.0.2.0/24'    => [8075, 'MICROSOFT-CORP-MSN-AS-BLOCK',
	    'microsoft.com', 'IE'],
	'203.0.113.0/24'  => [11377, 'SENDGRID', 'sendgrid.com', 'US'],
);

my %types = (
	autonomous_system_number => 'uint32',
	autonomous_system_organization => 'utf8_string',
	iso_code => 'utf8_string', names => 'map',
	en => 'utf8_string', geoname_id => 'uint32',
	asn => 'utf8_string', as_name => 'utf8_string',
	as_domain => 'utf8_string', country_code => 'utf8_string',
	continent => 'utf8_string', continent_code => 'utf8_string',
);

sub tree {
	my ($type, $country) = @_;	# country: a map (GeoLite2), text (IPinfo)
	my %ty = (%types, country => $country);
	my $t = MaxMind::DB::Writer::Tree->new(
		ip_version => 6, record_size => 28, database_type => $type,
		languages => ['en'], description => { en => "dmarcsift test $type" },
		remove_reserved_networks => 0,
		map_key_type_callback => sub { $ty{ $_[0] } // die "type of $_[0]" },
	);
	$t->_set_build_epoch($epoch) if defined $epoch;
	return $t;
}

sub out {
	my ($t, $name) = @_;
	open my $fh, '>:raw', "$dir/$name" or die "$dir/$name: $!\n";
	$t->write_tree($fh);
	close $fh or die "$dir/$name: $!\n";
}

my ($asn, $cty, $ipi) = (tree('GeoLite2-ASN', 'map'),
    tree('GeoLite2-Country', 'map'), tree('ipinfo lite.mmdb', 'utf8_string'));
# shorter prefixes first: a later insert replaces what it covers
sub plen { my ($p) = $_[0] =~ m{/(\d+)$}; ($_[0] =~ /:/ ? 0 : 96) + $p }
for my $n (sort { plen($a) <=> plen($b) or $a cmp $b } keys %net) {
	my ($num, $org, $dom, $cc) = @{ $net{$n} };
	$asn->insert_network($n, { autonomous_system_number => $num,
	    autonomous_system_organization => $org . $sfx });
	$cty->insert_network($n, { country => { iso_code => $cc,
	    geoname_id => 1, names => { en => "Country $cc" } } });
	$ipi->insert_network($n, { asn => "AS$num", as_name => $org . $sfx,
	    as_domain => $dom, country_code => $cc, country => "Country $cc",
	    continent => 'Europe', continent_code => 'EU' });
}
out($asn, 'asn.mmdb');
out($cty, 'country.mmdb');
out($ipi, 'ipinfo.mmdb');
