#!/usr/bin/perl
# Runs a command as its "child subreaper" (Linux prctl PR_SET_CHILD_SUBREAPER): any process of the
# command's tree whose parent exits is re-parented here instead of to PID 1, and reaped here when
# it ends. Once the command has exited, whatever still runs under us was left behind by it: the
# report command runs next (with DRIFTLESS_REAPER_PID set to our pid) to name and end those.
# `npm test` runs vitest this way (scripts/test.mjs), so no test can leak a process unseen, even
# one that detached itself twice (setsid, nohup, a shell that exits at once).
#
# Perl because it is on every Debian system (perl-base is essential) and can make the syscall;
# Node cannot.
#
# Usage: perl scripts/subreaper.pl <report command...> -- <command...>
# Exit: the command's status if it failed, else 1 if the report failed, else 0.
use strict;
use warnings;
use POSIX ();

my ($split) = grep { $ARGV[$_] eq '--' } 0 .. $#ARGV;
die "usage: subreaper.pl <report command...> -- <command...>\n" unless defined $split && $split > 0 && $split < $#ARGV;
my @report = @ARGV[0 .. $split - 1];
my @command = @ARGV[$split + 1 .. $#ARGV];

# prctl's syscall number per architecture; PR_SET_CHILD_SUBREAPER is 36.
my %PRCTL = (x86_64 => 157, aarch64 => 167, i686 => 172, armv7l => 172);
my $nr = $PRCTL{(POSIX::uname())[4]};
if (!defined $nr || syscall($nr, 36, 1, 0, 0, 0) != 0) {
  print STDERR "leak check: cannot become a subreaper on this system, so processes that outlive their parent go unchecked\n";
  exec { $command[0] } @command or die "cannot run $command[0]: $!\n";
}

$ENV{DRIFTLESS_REAPER_PID} = $$;

sub start {
  my @argv = @_;
  my $pid = fork() // die "fork: $!\n";
  if ($pid == 0) {
    exec { $argv[0] } @argv or do { print STDERR "cannot run $argv[0]: $!\n"; POSIX::_exit(127) };
  }
  return $pid;
}

# Reaps every child (adopted ones too) until `$pid` exits; returns its exit code.
sub wait_for {
  my ($pid) = @_;
  while (1) {
    my $done = waitpid(-1, 0);
    if ($done == -1) {
      next if $!{EINTR};
      return 1;
    }
    next unless $done == $pid;
    my $status = $?;
    return ($status & 127) ? 128 + ($status & 127) : $status >> 8;
  }
}

my $main = start(@command);
# Ctrl-C and a closing terminal signal the whole process group, the command included; a signal
# sent to us alone is passed on. Either way we stay to reap and to run the report.
$SIG{INT} = sub { };
$SIG{HUP} = sub { };
$SIG{TERM} = sub { kill 'TERM', $main };
my $code = wait_for($main);
$SIG{TERM} = 'DEFAULT';
my $report_code = wait_for(start(@report));
1 while waitpid(-1, POSIX::WNOHANG()) > 0;
exit($code != 0 ? $code : $report_code != 0 ? 1 : 0);
