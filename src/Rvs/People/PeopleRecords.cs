using System.Drawing;

namespace Rvs.People;

/// <summary>A face as the person tables know it: its photo's content hash and its ordinal in that photo.</summary>
public readonly record struct FaceKey(string ContentHash, int Ordinal);

/// <summary>One person for a listing: <paramref name="CoverFaceId"/> is a face to show for it (its first).</summary>
public sealed record PersonSummary(long PersonId, string? Name, int FaceCount, int PhotoCount, long CoverFaceId);

/// <summary>One face of a person. <paramref name="Pinned"/>: the user put it there, so re-clustering keeps it.</summary>
public sealed record PersonFace(long FaceId, long ImageId, string Path, RectangleF Box, bool Pinned);

public sealed record PersonDetail(long PersonId, string? Name, IReadOnlyList<PersonFace> Faces);

/// <summary>What a clustering run did: faces seen, persons holding them, faces in no person (low quality alone).</summary>
public sealed record PeopleClusteringSummary(int Faces, int Persons, int NewPersons, int Unassigned, double Seconds);
