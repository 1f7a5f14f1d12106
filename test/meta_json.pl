#!/usr/bin/perl
# perl test/meta_json.pl [REPO]: validates REPO/META.json against the PGXN
# Meta Spec 1.0.0 (required keys, the type of every key the spec defines,
# terms, SemVer versions, version ranges, licenses, URIs, no unknown
# top-level keys but x_ ones) and checks that it agrees with the tree: the
# version of relintel.control and the Makefile, the files it names exist,
# the oldest PostgreSQL equals debian/pgversions.  No network, only Perl's
# own JSON::PP.  Prints one line per check: "ok<TAB>name" or
# "not ok<TAB>name<TAB>why" (test/package.sh turns them into TAP).
use strict;
use warnings;
use JSON::PP;

my $repo = shift // '.';
my @results;
# The prototype puts each argument in scalar context (a failed match is false, not an empty list).
sub check($$;$) { my ($pass, $name, $why) = @_; push @results, [$pass ? 1 : 0, $name, $why // '']; }
sub slurp { my $f = shift; open my $fh, '<:raw', $f or return undef; local $/; my $s = <$fh>; return $s; }

my $text = slurp("$repo/META.json");
check(defined $text, 'META.json exists', "$repo/META.json: $!");
exit report() unless defined $text;
my $meta = eval { JSON::PP->new->utf8->relaxed(0)->decode($text) };
check(ref $meta eq 'HASH', 'META.json is a JSON object', $@);
exit report() unless ref $meta eq 'HASH';

my $is_string = sub { (defined $_[0] && !ref $_[0]) ? 1 : 0 };
# SemVer as the spec's schema writes it (2.0.0 syntax, which 1.0.0 versions satisfy).
my $semver = qr/^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?(?:\+[0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*)?$/;
my $range_one = qr/(?:(?:[=!]=|[<>]=?)\s*)?(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?/;
my $is_range = sub { my $v = shift; (defined $v && !ref $v && ($v eq '0' || $v =~ /^$range_one(?:,\s*$range_one)*$/)) ? 1 : 0 };
my $is_term = sub { my $v = shift; ($is_string->($v) && $v =~ m{^[^/\\\s[:cntrl:]]{2,}$}) ? 1 : 0 };
my $is_uri = sub { my $v = shift; ($is_string->($v) && $v =~ m{^[A-Za-z][A-Za-z0-9+.-]*:\S+$}) ? 1 : 0 };
my $is_email = sub { my $v = shift; ($is_string->($v) && $v =~ /^[^@\s]+@[^@\s]+$/) ? 1 : 0 };
my %licenses = map { $_ => 1 } qw(agpl_3 apache_1_1 apache_2_0 artistic_1 artistic_2 bsd freebsd gfdl_1_2 gfdl_1_3
  gpl_1 gpl_2 gpl_3 lgpl_2_1 lgpl_3_0 mit mozilla_1_0 mozilla_1_1 openssl perl_5 postgresql qpl_1_0 ssleay sun zlib
  open_source restricted unrestricted unknown);

# Required keys and their types.
for my $key (qw(name abstract version maintainer license provides meta-spec)) {
  check(exists $meta->{$key}, "META.json: required key $key");
}
my %known = map { $_ => 1 } qw(name abstract description version maintainer license provides meta-spec
  prereqs resources no_index tags release_status generated_by);
my @unknown = grep { !$known{$_} && !/^x_/i } sort keys %$meta;
check(!@unknown, 'META.json: no keys outside the spec (custom keys start with x_)', "@unknown");

check($is_term->($meta->{name}), 'META.json: name is a term (2+ characters, no slash, backslash, space or control character)');
check($is_string->($meta->{abstract}) && length $meta->{abstract}, 'META.json: abstract is a non-empty string');
check(!exists $meta->{description} || ($is_string->($meta->{description}) && length $meta->{description}),
      'META.json: description, when present, is a non-empty string');
check(($is_string->($meta->{version}) && $meta->{version} =~ $semver ? 1 : 0), 'META.json: version is SemVer', $meta->{version});

my $m = $meta->{maintainer};
check(($is_string->($m) && length $m) || (ref $m eq 'ARRAY' && @$m && !grep { !$is_string->($_) || !length $_ } @$m),
      'META.json: maintainer is a string or a non-empty list of strings');

my $l = $meta->{license};
check((defined $l && !ref $l && $licenses{$l})
      || (ref $l eq 'ARRAY' && @$l && !grep { ref $_ || !$licenses{$_} } @$l)
      || (ref $l eq 'HASH' && %$l && !grep { !$is_uri->($_) } values %$l),
      'META.json: license is a known license name, a list of them, or names mapped to URIs', JSON::PP->new->canonical->allow_nonref->encode($l));

my $ms = $meta->{'meta-spec'};
check((ref $ms eq 'HASH' && ($ms->{version} // '') eq '1.0.0') ? 1 : 0, 'META.json: meta-spec version is 1.0.0');
check(ref $ms eq 'HASH' && (!exists $ms->{url} || $is_uri->($ms->{url})), 'META.json: meta-spec url, when present, is a URI');

my $p = $meta->{provides};
check((ref $p eq 'HASH' && keys %$p) ? 1 : 0, 'META.json: provides is a non-empty object');
for my $ext (sort keys %{ ref $p eq 'HASH' ? $p : {} }) {
  my $e = $p->{$ext};
  check($is_term->($ext), "META.json: provides $ext: the name is a term");
  check(ref $e eq 'HASH', "META.json: provides $ext is an object");
  next unless ref $e eq 'HASH';
  check($is_string->($e->{file}) && -f "$repo/$e->{file}", "META.json: provides $ext: file exists", $e->{file});
  check(($is_string->($e->{version}) && $e->{version} =~ $semver ? 1 : 0), "META.json: provides $ext: version is SemVer", $e->{version});
  check(!exists $e->{docfile} || ($is_string->($e->{docfile}) && -f "$repo/$e->{docfile}"), "META.json: provides $ext: docfile, when present, exists");
  check(!exists $e->{abstract} || $is_string->($e->{abstract}), "META.json: provides $ext: abstract, when present, is a string");
  my @extra = grep { !/^(file|version|docfile|abstract)$/ && !/^x_/i } keys %$e;
  check(!@extra, "META.json: provides $ext: no keys outside the spec", "@extra");
}

if (exists $meta->{prereqs}) {
  my $pr = $meta->{prereqs};
  my @bad;
  if (ref $pr ne 'HASH') { push @bad, 'not an object' }
  else {
    for my $phase (sort keys %$pr) {
      push @bad, "phase $phase" unless $phase =~ /^(configure|build|test|runtime|develop)$/ || $phase =~ /^x_/i;
      next unless ref $pr->{$phase} eq 'HASH' or (push(@bad, "$phase is not an object"), 0);
      for my $rel (sort keys %{ $pr->{$phase} }) {
        push @bad, "$phase.$rel" unless $rel =~ /^(requires|recommends|suggests|conflicts)$/ || $rel =~ /^x_/i;
        my $deps = $pr->{$phase}{$rel};
        next unless ref $deps eq 'HASH' or (push(@bad, "$phase.$rel is not an object"), 0);
        for my $name (sort keys %$deps) {
          push @bad, "$phase.$rel.$name = $deps->{$name}" unless $is_term->($name) && $is_range->($deps->{$name});
        }
      }
    }
  }
  check(!@bad, 'META.json: prereqs are phases of relations of names to version ranges', join('; ', @bad));
}
if (exists $meta->{resources}) {
  my $r = $meta->{resources};
  my @bad;
  if (ref $r ne 'HASH') { push @bad, 'not an object' }
  else {
    for my $k (sort keys %$r) {
      my $v = $r->{$k};
      if ($k eq 'homepage') { push @bad, $k unless $is_uri->($v) }
      elsif ($k eq 'bugtracker') {
        push @bad, $k unless ref $v eq 'HASH' && %$v && !grep { !/^(web|mailto)$/ && !/^x_/i } keys %$v;
        push @bad, "$k.web" if ref $v eq 'HASH' && exists $v->{web} && !$is_uri->($v->{web});
        push @bad, "$k.mailto" if ref $v eq 'HASH' && exists $v->{mailto} && !$is_email->($v->{mailto});
      }
      elsif ($k eq 'repository') {
        push @bad, $k unless ref $v eq 'HASH' && %$v && !grep { !/^(url|web|type)$/ && !/^x_/i } keys %$v;
        push @bad, "$k.$_" for grep { ref $v eq 'HASH' && exists $v->{$_} && !$is_uri->($v->{$_}) } qw(url web);
        push @bad, "$k.type" if ref $v eq 'HASH' && exists $v->{type} && !($is_string->($v->{type}) && $v->{type} =~ /^[a-z]+$/);
      }
      elsif ($k !~ /^x_/i) { push @bad, "unknown resource $k" }
    }
  }
  check(!@bad, 'META.json: resources are well formed (homepage, bugtracker, repository)', join('; ', @bad));
}
if (exists $meta->{no_index}) {
  my $n = $meta->{no_index};
  my @bad;
  if (ref $n ne 'HASH') { push @bad, 'not an object' }
  else {
    for my $k (sort keys %$n) {
      my $v = $n->{$k};
      my @items = ref $v eq 'ARRAY' ? @$v : ($v);
      if ($k =~ /^(file|directory)$/) {
        push @bad, "$k: $_" for grep { !$is_string->($_) || !($k eq 'file' ? -f "$repo/$_" : -d "$repo/$_") } @items;
      } elsif ($k !~ /^x_/i) { push @bad, "unknown key $k" }
    }
  }
  check(!@bad, 'META.json: no_index names files and directories of the tree', join('; ', @bad));
}
if (exists $meta->{tags}) {
  my $t = $meta->{tags};
  check((ref $t eq 'ARRAY' && @$t && !grep { !$is_string->($_) || !length $_ || length $_ > 255 } @$t),
        'META.json: tags are a list of strings of 1 to 255 characters');
}
if (exists $meta->{release_status}) {
  check(($meta->{release_status} // '') =~ /^(stable|testing|unstable)$/, 'META.json: release_status is stable, testing or unstable');
}

# Agreement with the tree.
my $control = slurp("$repo/relintel.control") // '';
my ($default) = $control =~ /^\s*default_version\s*=\s*'([^']*)'/m;
my $makefile = slurp("$repo/Makefile") // '';
my ($extversion) = $makefile =~ /^EXTVERSION\s*=\s*(\S+)/m;
my ($extension) = $makefile =~ /^EXTENSION\s*=\s*(\S+)/m;
my $v = $meta->{version} // '';
check(defined $default && $v eq $default, 'META.json: version = default_version of relintel.control', "META $v, control " . ($default // 'none'));
check(defined $extversion && $v eq $extversion, 'META.json: version = EXTVERSION of the Makefile', "META $v, Makefile " . ($extversion // 'none'));
check(defined $extension && ref $p eq 'HASH' && ref $p->{$extension} eq 'HASH' && ($p->{$extension}{version} // '') eq ($default // ''),
      'META.json: provides the Makefile\'s extension at the control file\'s version');
my $pg = eval { $meta->{prereqs}{runtime}{requires}{PostgreSQL} } // '';
my ($pgmajor) = $pg =~ /^(?:>=\s*)?(\d+)\.0\.0$/;
my $pgversions = slurp("$repo/debian/pgversions");
my ($oldest) = defined $pgversions ? $pgversions =~ /^(\d+)\+?\s*$/m : ();
check(defined $pgmajor && $pgmajor >= 15, 'META.json: requires PostgreSQL 15 or later at runtime', $pg);
check(!defined $pgversions || (defined $oldest && defined $pgmajor && $oldest == $pgmajor),
      'META.json: the oldest PostgreSQL = debian/pgversions', "META $pg, pgversions " . ($oldest // 'unreadable'));

exit report();

sub report {
  for my $r (@results) {
    my ($pass, $name, $why) = @$r;
    $why =~ s/[\t\n]+/ /g;
    print $pass ? "ok\t$name\n" : "not ok\t$name\t$why\n";
  }
  return (grep { !$_->[0] } @results) ? 1 : 0;
}
