/**
 * Every domain's project terminator, registered in the projects domain's registry
 * (projects/deletion/terminators.ts). Projects may not import the resource domains, so the
 * cascade deletion's TerminateResources step imports this module for its effect. A domain whose
 * resources take a `projectId` adds its registering module here.
 */
import './route-targets';
import '../compute/project-terminator';
import '../networking/project-terminator';
